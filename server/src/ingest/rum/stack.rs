//! JavaScript `Error.stack` strings as frames: Chrome/Edge (`    at fn (url:line:col)`)
//! and Firefox/Safari (`fn@url:line:col`). Returned oldest call first, as Sentry orders them.

use protocol::Frame;

/// Frames from browser extensions or the SDK itself are not the app's code.
fn in_app(url: &str) -> bool {
    !(url.contains("-extension://") || url.contains("/sdk/rum") || url.contains("/node_modules/"))
}

/// `url:line:col` split from the right (URLs contain colons).
fn location(s: &str) -> Option<(&str, u64, u64)> {
    let (rest, col) = s.rsplit_once(':')?;
    let (url, line) = rest.rsplit_once(':')?;
    Some((url, line.parse().ok()?, col.parse().ok()?))
}

fn frame(function: Option<&str>, loc: &str) -> Option<Frame> {
    let (url, line, col) = location(loc.trim())?;
    Some(Frame {
        function: function
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string),
        module: None,
        filename: Some(url.to_string()),
        lineno: Some(line),
        colno: Some(col),
        in_app: in_app(url),
        context_line: None,
        pre_context: vec![],
        post_context: vec![],
    })
}

fn parse_line(line: &str) -> Option<Frame> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix("at ") {
        // `at fn (url:1:2)`, `at async fn (url:1:2)` or `at url:1:2`.
        return match rest.rsplit_once(" (") {
            Some((func, loc)) => frame(
                Some(func.trim_start_matches("async ")),
                loc.strip_suffix(')')?,
            ),
            None => frame(None, rest),
        };
    }
    let (func, loc) = line.split_once('@')?;
    frame(Some(func), loc)
}

/// Frames of a stack, oldest call first; lines that are not frames (the message) are skipped.
pub fn parse(stack: &str) -> Vec<Frame> {
    let mut frames: Vec<Frame> = stack.lines().filter_map(parse_line).take(100).collect();
    frames.reverse();
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chrome_stacks_innermost_last() {
        let f = parse(
            "TypeError: Cannot read properties of undefined (reading 'amount')\n    at submitOrder (https://pos.example/app.js:12:19)\n    at async HTMLButtonElement.<anonymous> (https://pos.example/app.js:40:5)\n    at https://pos.example/vendor.js:1:100",
        );
        assert_eq!(f.len(), 3);
        assert_eq!(f[2].function.as_deref(), Some("submitOrder"));
        assert_eq!((f[2].lineno, f[2].colno), (Some(12), Some(19)));
        assert_eq!(
            f[1].function.as_deref(),
            Some("HTMLButtonElement.<anonymous>")
        );
        assert_eq!(f[0].function, None);
        assert_eq!(
            f[0].filename.as_deref(),
            Some("https://pos.example/vendor.js")
        );
    }

    #[test]
    fn reads_firefox_stacks_and_marks_foreign_code() {
        let f = parse(
            "applyDiscount@http://127.0.0.1:8080/app.js:7:9\n@moz-extension://abc/inject.js:1:1\n",
        );
        assert_eq!(f.len(), 2);
        assert!(!f[0].in_app, "extension frame");
        assert!(f[1].in_app);
        assert_eq!(
            f[1].filename.as_deref(),
            Some("http://127.0.0.1:8080/app.js")
        );
        assert!(parse("just a message").is_empty());
    }
}
