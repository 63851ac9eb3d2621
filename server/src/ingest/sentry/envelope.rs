//! Sentry envelopes: a JSON header line, then items, each a JSON item header line and a
//! payload of `length` bytes (or up to the next newline when `length` is absent).
//! Limits are checked while splitting, so an oversized item is refused before it is
//! parsed.

use serde::Deserialize;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_items: usize,
    pub max_item_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_items: 100,
            max_item_bytes: 1024 * 1024,
        }
    }
}

#[derive(Debug, Default, Deserialize, PartialEq)]
pub struct EnvelopeHeader {
    pub event_id: Option<String>,
    pub dsn: Option<String>,
    pub sent_at: Option<String>,
    /// The dynamic sampling context: `sample_rate` (a string or number) is the SDK's
    /// traces sample rate.
    pub trace: Option<serde_json::Value>,
}

impl EnvelopeHeader {
    /// The traces sample rate the SDK declared, if any.
    pub fn sample_rate(&self) -> Option<f64> {
        super::transaction::number(self.trace.as_ref()?.get("sample_rate"))
    }
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct ItemHeader {
    #[serde(rename = "type")]
    pub kind: String,
    pub length: Option<usize>,
    pub content_type: Option<String>,
}

#[derive(Debug, PartialEq)]
pub struct Item<'a> {
    pub header: ItemHeader,
    pub payload: &'a [u8],
}

#[derive(Debug, PartialEq)]
pub struct Envelope<'a> {
    pub header: EnvelopeHeader,
    pub items: Vec<Item<'a>>,
}

impl Envelope<'_> {
    /// The traces sample rate of the envelope's transactions: the one its header declares,
    /// else the one its client report implies.
    pub fn sample_rate(&self) -> Option<f64> {
        self.header.sample_rate().or_else(|| {
            super::client_report::implied_sample_rate(
                self.items
                    .iter()
                    .map(|i| (i.header.kind.as_str(), i.payload)),
            )
        })
    }
}

#[derive(Debug, PartialEq, thiserror::Error)]
pub enum EnvelopeError {
    /// 400
    #[error("envelope is malformed: {0}")]
    Malformed(String),
    /// 413
    #[error("envelope item {index} is {size} bytes; at most {limit}")]
    ItemTooLarge {
        index: usize,
        size: usize,
        limit: usize,
    },
    /// 413
    #[error("envelope has more than {0} items")]
    TooManyItems(usize),
}

fn line(body: &[u8], at: usize) -> (&[u8], usize) {
    match body[at..].iter().position(|b| *b == b'\n') {
        Some(n) => (&body[at..at + n], at + n + 1),
        None => (&body[at..], body.len()),
    }
}

pub fn parse(body: &[u8], limits: Limits) -> Result<Envelope<'_>, EnvelopeError> {
    let (head, mut at) = line(body, 0);
    let header: EnvelopeHeader = serde_json::from_slice(head)
        .map_err(|e| EnvelopeError::Malformed(format!("header: {e}")))?;
    let mut items = vec![];
    while at < body.len() {
        let (item_line, next) = line(body, at);
        if item_line.iter().all(u8::is_ascii_whitespace) {
            at = next;
            continue;
        }
        let index = items.len();
        if index >= limits.max_items {
            return Err(EnvelopeError::TooManyItems(limits.max_items));
        }
        let header: ItemHeader = serde_json::from_slice(item_line)
            .map_err(|e| EnvelopeError::Malformed(format!("item {index} header: {e}")))?;
        let (payload, after) = match header.length {
            Some(len) => {
                if len > limits.max_item_bytes {
                    return Err(EnvelopeError::ItemTooLarge {
                        index,
                        size: len,
                        limit: limits.max_item_bytes,
                    });
                }
                let end = next
                    .checked_add(len)
                    .filter(|e| *e <= body.len())
                    .ok_or_else(|| {
                        EnvelopeError::Malformed(format!(
                            "item {index}: length {len} runs past the end"
                        ))
                    })?;
                let after = if body.get(end) == Some(&b'\n') {
                    end + 1
                } else {
                    end
                };
                (&body[next..end], after)
            }
            None => line(body, next),
        };
        if payload.len() > limits.max_item_bytes {
            return Err(EnvelopeError::ItemTooLarge {
                index,
                size: payload.len(),
                limit: limits.max_item_bytes,
            });
        }
        items.push(Item { header, payload });
        at = after;
    }
    Ok(Envelope { header, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_items_with_and_without_length() {
        let body =
            b"{\"event_id\":\"9ec79c33ec9942ab8353589fcb2e04dc\",\"dsn\":\"http://k@h/1\"}\n\
{\"type\":\"event\",\"length\":13}\n{\"message\":1}\n\
{\"type\":\"session\"}\n{\"status\":\"ok\"}\n";
        let e = parse(body, Limits::default()).unwrap();
        assert_eq!(e.header.dsn.as_deref(), Some("http://k@h/1"));
        assert_eq!(e.items.len(), 2);
        assert_eq!(e.items[0].header.kind, "event");
        assert_eq!(e.items[0].payload, b"{\"message\":1}");
        assert_eq!(e.items[1].header.kind, "session");
        assert_eq!(e.items[1].payload, b"{\"status\":\"ok\"}");
    }

    #[test]
    fn a_length_payload_may_hold_newlines_and_end_without_one() {
        let body = b"{}\n{\"type\":\"attachment\",\"length\":5}\na\nb\nc";
        let e = parse(body, Limits::default()).unwrap();
        assert_eq!(e.items[0].payload, b"a\nb\nc");
    }

    #[test]
    fn refuses_what_is_broken_or_too_big() {
        assert!(matches!(
            parse(b"not json\n", Limits::default()),
            Err(EnvelopeError::Malformed(_))
        ));
        assert!(matches!(
            parse(b"{}\n{\"type\":\"event\",\"length\":99}\n{}", Limits::default()),
            Err(EnvelopeError::Malformed(m)) if m.contains("past the end")
        ));
        let small = Limits {
            max_items: 1,
            max_item_bytes: 4,
        };
        assert_eq!(
            parse(b"{}\n{\"type\":\"event\",\"length\":5}\n12345\n", small),
            Err(EnvelopeError::ItemTooLarge {
                index: 0,
                size: 5,
                limit: 4
            })
        );
        assert_eq!(
            parse(
                b"{}\n{\"type\":\"event\"}\n{}\n{\"type\":\"event\"}\n{}\n",
                small
            ),
            Err(EnvelopeError::TooManyItems(1))
        );
    }
}
