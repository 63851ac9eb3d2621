//! The time ranges of dashboard views and history filters.

use serde::{Deserialize, Serialize};

/// Time range of a dashboard view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    #[default]
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
}

impl Range {
    pub const ALL: [Range; 2] = [Range::Hour, Range::Day];

    /// Length of the range in minutes.
    pub fn minutes(self) -> i64 {
        match self {
            Range::Hour => 60,
            Range::Day => 24 * 60,
        }
    }

    /// Width of one chart bucket in minutes (about 60–100 points per chart).
    pub fn bucket_minutes(self) -> i64 {
        match self {
            Range::Hour => 1,
            Range::Day => 15,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Range::Hour => "Last hour",
            Range::Day => "Last 24 h",
        }
    }

    pub fn parse(s: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// History ranges offered by the Alerts page.
pub const HISTORY_RANGES: [(&str, i64); 4] = [
    ("1h", 3_600_000),
    ("24h", 86_400_000),
    ("7d", 7 * 86_400_000),
    ("30d", 30 * 86_400_000),
];

/// The length of a range written as `1h`, `24h`, `7d` or `30d`; `Err` names the field.
pub fn range_span(range: &str) -> Result<i64, String> {
    HISTORY_RANGES
        .iter()
        .find(|(name, _)| *name == range)
        .map(|(_, ms)| *ms)
        .ok_or_else(|| format!("range: {range:?} is not one of 1h, 24h, 7d, 30d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_round_trips_through_its_name() {
        for r in Range::ALL {
            assert_eq!(Range::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Range::parse("7d"), None);
    }
}
