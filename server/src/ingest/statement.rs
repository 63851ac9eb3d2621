//! Database statements reduced to their shape, so `SELECT * FROM orders WHERE id = 42`
//! and `... id = 43` are one query in the Database queries table: literals become `?`,
//! lists of them one `?`, comments and runs of white space go.

/// Longest normalized statement kept, in characters.
pub const MAX_LEN: usize = 1_000;

/// The normalized form of `sql`.
pub fn normalize(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len().min(MAX_LEN));
    let b = sql.as_bytes();
    let mut i = 0;
    let push_space = |out: &mut String| {
        if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            // A string literal, with '' as an escaped quote.
            b'\'' => {
                i += 1;
                while i < b.len() {
                    if b[i] == b'\'' {
                        if b.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                out.push('?');
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                push_space(&mut out);
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
                push_space(&mut out);
            }
            _ if c.is_ascii_whitespace() => {
                push_space(&mut out);
                i += 1;
            }
            // A number not inside a name, not a `$1` placeholder.
            _ if c.is_ascii_digit()
                && !out
                    .chars()
                    .next_back()
                    .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == '$') =>
            {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push('?');
            }
            _ => {
                // Whole UTF-8 characters.
                let len = utf8_len(c);
                out.push_str(std::str::from_utf8(&b[i..(i + len).min(b.len())]).unwrap_or(""));
                i += len;
            }
        }
    }
    let folded = fold_lists(out.trim());
    folded.chars().take(MAX_LEN).collect()
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// `(?, ?, ?)` is `(?)`, and `VALUES (?), (?)` is `VALUES (?)`: the number of values does
/// not make another query.
fn fold_lists(s: &str) -> String {
    let mut s = s.replace("( ", "(").replace(" )", ")").replace(" ,", ",");
    loop {
        let next = s.replace("?, ?", "?").replace("?,?", "?");
        let next = next.replace("(?), (?)", "(?)").replace("(?),(?)", "(?)");
        if next == s {
            return s;
        }
        s = next;
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn literals_become_placeholders_and_the_shape_stays() {
        assert_eq!(
            normalize("SELECT * FROM orders\n  WHERE id = 42 AND note = 'it''s 5'"),
            "SELECT * FROM orders WHERE id = ? AND note = ?"
        );
        assert_eq!(
            normalize("select id from t2 where x in (1, 2, 3) and y = $1 -- hot\n limit 10"),
            "select id from t2 where x in (?) and y = $1 limit ?"
        );
        assert_eq!(
            normalize("INSERT INTO items (a, b) VALUES (1, 'x'), (2, 'y') /* batch */"),
            "INSERT INTO items (a, b) VALUES (?)"
        );
        assert_eq!(
            normalize("SELECT 1.5e3, col_9 FROM \"tä\""),
            "SELECT ?, col_9 FROM \"tä\""
        );
    }

    #[test]
    fn statements_are_capped() {
        assert_eq!(
            normalize(&"a ".repeat(5_000)).chars().count(),
            super::MAX_LEN
        );
    }
}
