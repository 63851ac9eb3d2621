//! Where a Sentry SDK puts its public key: the `X-Sentry-Auth` header
//! (`Sentry sentry_key=<key>, sentry_version=7, ...`), the `sentry_key` query parameter,
//! or the DSN in an envelope header (`https://<key>@<host>/<project_id>`).

/// The `sentry_key` of an `X-Sentry-Auth` (or `Authorization: Sentry ...`) header value.
pub fn key_from_auth_header(value: &str) -> Option<&str> {
    let rest = value.trim().strip_prefix("Sentry")?.trim_start();
    rest.split(',')
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == "sentry_key")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The `sentry_key` query parameter.
pub fn key_from_query(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("sentry_key="))
        .filter(|v| !v.is_empty())
}

/// Public key and project id of a DSN.
pub fn parse_dsn(dsn: &str) -> Option<(&str, i64)> {
    let (_, rest) = dsn.split_once("://")?;
    let (userinfo, host_path) = rest.split_once('@')?;
    let key = userinfo.split(':').next().filter(|k| !k.is_empty())?;
    let project = host_path
        .trim_end_matches('/')
        .rsplit('/')
        .next()?
        .parse()
        .ok()?;
    Some((key, project))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_key_where_each_sdk_puts_it() {
        let h = "Sentry sentry_version=7, sentry_client=sentry.javascript.browser/8.0.0, sentry_key=abc123";
        assert_eq!(key_from_auth_header(h), Some("abc123"));
        assert_eq!(key_from_auth_header("Bearer abc"), None);
        assert_eq!(key_from_query("sentry_version=7&sentry_key=k1"), Some("k1"));
        assert_eq!(key_from_query("sentry_key="), None);
        assert_eq!(parse_dsn("http://k2@127.0.0.1:3000/1"), Some(("k2", 1)));
        assert_eq!(
            parse_dsn("https://k3:secret@monitor.example/path/42/"),
            Some(("k3", 42))
        );
        assert_eq!(parse_dsn("http://127.0.0.1:3000/1"), None);
    }
}
