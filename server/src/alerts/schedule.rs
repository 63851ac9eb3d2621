//! Weekly schedules in a time zone: a rule's active hours, and restaurants' opening
//! hours. Written as `"mon-fri 08:00-22:00, sat 10:00-23:30"`: each entry a day, a range
//! of days or `daily`, then a span of local time (a span past midnight, `18:00-02:00`,
//! runs into the next day); `closed` alone is a schedule that is never open. Pure.

use jiff::{civil::Weekday, tz::TimeZone, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// Minutes from midnight, local time.
type Minute = u16;

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    /// Days (0 = Monday) the span starts on.
    days: [bool; 7],
    from: Minute,
    to: Minute,
}

/// A weekly schedule, as written (kept to print it back).
#[derive(Debug, Clone, PartialEq)]
pub struct Weekly {
    text: String,
    entries: Vec<Entry>,
}

fn day(s: &str) -> Result<usize, String> {
    DAYS.iter()
        .position(|(n, _)| *n == s)
        .ok_or_else(|| format!("{s:?} is not a day (mon, tue, wed, thu, fri, sat, sun)"))
}

fn minute(s: &str) -> Result<Minute, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("{s:?} is not a time like 08:30"))?;
    let (h, m): (u16, u16) = (
        h.parse()
            .map_err(|_| format!("{s:?}: the hour is not a number"))?,
        m.parse()
            .map_err(|_| format!("{s:?}: the minutes are not a number"))?,
    );
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("{s:?} is not a time of day"));
    }
    Ok(h * 60 + m)
}

impl Weekly {
    pub fn parse(text: &str) -> Result<Weekly, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("closed") {
            return Ok(Weekly {
                text: "closed".into(),
                entries: vec![],
            });
        }
        let mut entries = vec![];
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (days_text, span) = part.split_once(' ').ok_or_else(|| {
                format!("{part:?}: write days then a span, like \"mon-fri 08:00-22:00\"")
            })?;
            let mut days = [false; 7];
            match days_text.to_ascii_lowercase().as_str() {
                "daily" => days = [true; 7],
                d => match d.split_once('-') {
                    Some((a, b)) => {
                        let (a, b) = (day(a)?, day(b)?);
                        let mut i = a;
                        loop {
                            days[i] = true;
                            if i == b {
                                break;
                            }
                            i = (i + 1) % 7;
                        }
                    }
                    None => days[day(d)?] = true,
                },
            }
            let span = span.trim();
            if span.eq_ignore_ascii_case("closed") {
                continue;
            }
            let (a, b) = span
                .split_once('-')
                .ok_or_else(|| format!("{span:?} is not a span like 08:00-22:00"))?;
            let (from, to) = (minute(a.trim())?, minute(b.trim())?);
            if from == to {
                return Err(format!("{span:?} is empty"));
            }
            entries.push(Entry { days, from, to });
        }
        if entries.is_empty() && !text.to_ascii_lowercase().contains("closed") {
            return Err("no days given".into());
        }
        Ok(Weekly {
            text: text.to_string(),
            entries,
        })
    }

    /// Whether the local time `weekday` (0 = Monday) at `minute` is inside.
    fn contains(&self, weekday: usize, minute: Minute) -> bool {
        let yesterday = (weekday + 6) % 7;
        self.entries.iter().any(|e| {
            if e.from < e.to {
                e.days[weekday] && (e.from..e.to).contains(&minute)
            } else {
                // Past midnight: from `from` on its day, until `to` the day after.
                (e.days[weekday] && minute >= e.from) || (e.days[yesterday] && minute < e.to)
            }
        })
    }

    /// Whether `now_ms` falls inside, in the time zone `tz`.
    pub fn is_open(&self, tz: &TimeZone, now_ms: i64) -> bool {
        let Ok(ts) = Timestamp::from_millisecond(now_ms) else {
            return false;
        };
        let local = ts.to_zoned(tz.clone());
        let weekday = local.weekday().to_monday_zero_offset() as usize;
        let minute = local.hour() as u16 * 60 + local.minute() as u16;
        self.contains(weekday, minute)
    }
}

impl fmt::Display for Weekly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Weekly {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Weekly {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Weekly, D::Error> {
        Weekly::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A time zone by IANA name (`Europe/Berlin`), or UTC.
pub fn time_zone(name: Option<&str>) -> Result<TimeZone, String> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Ok(TimeZone::UTC),
        Some(n) => {
            TimeZone::get(n).map_err(|_| format!("{n:?} is not a time zone (like Europe/Berlin)"))
        }
    }
}

/// A restaurant's opening hours: when `order_processing_stopped` may judge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpeningHours {
    /// `"mon-fri 11:00-22:00, sat-sun 12:00-23:00"`.
    pub hours: Weekly,
    /// IANA time zone; UTC when missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
}

impl OpeningHours {
    pub fn check(&self) -> Result<(), String> {
        time_zone(self.timezone.as_deref()).map(|_| ())
    }

    pub fn is_open(&self, now_ms: i64) -> bool {
        time_zone(self.timezone.as_deref()).is_ok_and(|tz| self.hours.is_open(&tz, now_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 is a Monday.
    fn at(day: i64, hh: i64, mm: i64) -> i64 {
        let monday = 1_796_601_600_000; // 2026-12-07T00:00:00Z
        monday + day * 86_400_000 + hh * 3_600_000 + mm * 60_000
    }

    #[test]
    fn weekday_spans_open_and_close_on_the_minute() {
        let w = Weekly::parse("mon-fri 08:00-22:00, sat 10:00-23:30").unwrap();
        let utc = TimeZone::UTC;
        assert!(w.is_open(&utc, at(0, 8, 0)));
        assert!(!w.is_open(&utc, at(0, 7, 59)));
        assert!(!w.is_open(&utc, at(0, 22, 0)), "to is exclusive");
        assert!(w.is_open(&utc, at(5, 23, 29)));
        assert!(!w.is_open(&utc, at(6, 12, 0)), "closed on Sunday");
        assert_eq!(w.to_string(), "mon-fri 08:00-22:00, sat 10:00-23:30");
    }

    #[test]
    fn spans_past_midnight_and_wrapping_day_ranges() {
        let w = Weekly::parse("fri-sun 18:00-02:00").unwrap();
        let utc = TimeZone::UTC;
        assert!(w.is_open(&utc, at(4, 23, 0)), "Friday night");
        assert!(w.is_open(&utc, at(5, 1, 30)), "into Saturday");
        assert!(w.is_open(&utc, at(0, 1, 0)), "Sunday's span into Monday");
        assert!(!w.is_open(&utc, at(0, 2, 0)));
        assert!(!w.is_open(&utc, at(3, 23, 0)), "not Thursday");
        assert!(Weekly::parse("daily 00:00-24:00")
            .unwrap()
            .is_open(&utc, at(2, 13, 0)));
    }

    #[test]
    fn hours_are_local_to_their_time_zone() {
        let h = OpeningHours {
            hours: Weekly::parse("daily 11:00-22:00").unwrap(),
            timezone: Some("Europe/Berlin".into()),
        };
        // Winter: Berlin is UTC+1.
        assert!(h.is_open(at(0, 10, 0)), "11:00 in Berlin");
        assert!(!h.is_open(at(0, 21, 30)), "22:30 in Berlin");
        assert!(h.check().is_ok());
        assert!(OpeningHours {
            timezone: Some("Mars/Olympus".into()),
            ..h
        }
        .check()
        .is_err());
    }

    #[test]
    fn bad_schedules_say_what_is_wrong() {
        assert!(Weekly::parse("closed").unwrap().entries.is_empty());
        for (bad, why) in [
            ("monday 08:00-10:00", "not a day"),
            ("mon 8-10", "not a time"),
            ("mon 08:00-25:00", "not a time of day"),
            ("mon 08:00", "not a span"),
            ("mon", "write days then a span"),
            ("", "no days"),
        ] {
            let e = Weekly::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}
