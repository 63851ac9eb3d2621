//! Where the monitor may connect on someone's say-so: probe targets and notifier URLs are
//! set by people (or a token) and fetched by the monitor, so they must not reach what
//! only the machine itself should: link-local addresses and the clouds' metadata
//! services (`169.254.169.254`, `fd00:ec2::254`), which hand out credentials.
//! `security.allow_private_targets` lifts this. Errors and stored messages go through
//! [`redact`] so secrets in URLs (a Slack webhook's path, a token in a query) never reach
//! the database, the log or the dashboard.

use notify_http::dns::{Addrs, Name, Resolve, Resolving};
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

/// The HTTP client for probes and notifiers. Unless `allow_private`, every name it
/// resolves, on the first request and on each redirect, leaves out forbidden addresses
/// (so a public name that resolves, or later rebinds, to the metadata service gets
/// nowhere), and a redirect to a forbidden address literal is an error.
pub fn client(allow_private: bool) -> notify_http::Client {
    let mut b = notify_http::Client::builder()
        .user_agent(concat!("restaurant-os-monitor/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        b = b.dns_resolver(Arc::new(GuardedResolver)).redirect(
            notify_http::redirect::Policy::custom(|attempt| {
                let to = match attempt.url().host() {
                    Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
                    Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
                    _ => None,
                };
                if to.is_some_and(forbidden) {
                    attempt.error("redirected to a link-local or cloud metadata address: refused")
                } else if attempt.previous().len() >= 5 {
                    attempt.error("more than 5 redirects")
                } else {
                    attempt.follow()
                }
            }),
        );
    }
    b.build().unwrap_or_default()
}

/// An error with its causes (`a: b: c`): reqwest's own text says only "error sending
/// request", the why (refused address, timeout, TLS) is in the chain. Redact before
/// storing: the texts may name the URL.
pub fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// The system resolver, minus forbidden addresses.
struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !forbidden(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "{host} resolves to no address the monitor may reach (link-local and \
                     cloud metadata addresses are refused)"
                )
                .into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// Whether `ip` is link-local or a cloud metadata address.
pub fn forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_link_local() || o == [100, 100, 100, 200] || v4.is_unspecified()
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden(IpAddr::V4(v4));
            }
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6
                    == "fd00:ec2::254"
                        .parse::<std::net::Ipv6Addr>()
                        .expect("valid")
                || v6.is_unspecified()
        }
    }
}

/// The host and port a target names: a URL (`https://h/...`, `postgres://u:p@h:5432/db`,
/// `redis://...`, `ws://...`) or `host:port`.
pub fn host_port(target: &str) -> Option<(String, u16)> {
    if let Ok(u) = url::Url::parse(target) {
        if let Some(host) = u.host_str() {
            let port = u.port_or_known_default().unwrap_or(match u.scheme() {
                "postgres" | "postgresql" => 5432,
                "redis" | "rediss" => 6379,
                _ => 80,
            });
            return Some((host.trim_matches(['[', ']']).to_string(), port));
        }
    }
    let (host, port) = target.rsplit_once(':')?;
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().ok()?,
    ))
}

/// `Ok` when every address `target` resolves to may be reached.
pub async fn check(target: &str, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let Some((host, port)) = host_port(target) else {
        return Err("the target names no host".into());
    };
    let addrs = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| format!("cannot resolve {host}: {e}"))?;
    for a in addrs {
        if forbidden(a.ip()) {
            return Err(format!(
                "{host} is {}, a link-local or cloud metadata address: refused \
                 (security.allow_private_targets allows it)",
                a.ip()
            ));
        }
    }
    Ok(())
}

/// `text` with every URL in it cut to its scheme and host: user info, path and query
/// may hold secrets.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let scheme_start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
            .map_or(0, |p| p + 1);
        out.push_str(&rest[..scheme_start]);
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| c.is_whitespace() || "\"'<>()[]{},".contains(c))
            .unwrap_or(after.len());
        let url = &after[..end];
        let authority = &url[..url.find(['/', '?', '#']).unwrap_or(url.len())];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        out.push_str(&rest[scheme_start..i + 3]);
        out.push_str(host);
        if host.len() < url.len() {
            out.push_str("/…");
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_and_link_local_addresses_are_forbidden() {
        for bad in [
            "169.254.169.254",
            "169.254.1.1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:169.254.169.254",
            "100.100.100.200",
        ] {
            assert!(forbidden(bad.parse().unwrap()), "{bad}");
        }
        for ok in ["127.0.0.1", "10.0.0.5", "192.168.1.1", "8.8.8.8", "::1"] {
            assert!(!forbidden(ok.parse().unwrap()), "{ok}");
        }
    }

    #[tokio::test]
    async fn a_probe_of_the_metadata_service_is_refused_unless_allowed() {
        let e = check("http://169.254.169.254/latest/meta-data/", false)
            .await
            .unwrap_err();
        assert!(e.contains("metadata"), "{e}");
        assert!(check("http://169.254.169.254/", true).await.is_ok());
        assert!(check("127.0.0.1:5432", false).await.is_ok());
        assert!(check("postgres://app:pw@127.0.0.1:5432/db", false)
            .await
            .is_ok());
    }

    #[test]
    fn secrets_in_urls_never_reach_the_text() {
        let e = "error sending request for url (https://hooks.slack.com/services/T00/B00/XXXXsecret): timed out";
        assert_eq!(
            redact(e),
            "error sending request for url (https://hooks.slack.com/…): timed out"
        );
        assert_eq!(
            redact("http://u:pw@db:5432/x?token=abc"),
            "http://db:5432/…"
        );
        assert_eq!(redact("no urls here"), "no urls here");
        assert_eq!(redact("https://example.com"), "https://example.com");
    }
}
