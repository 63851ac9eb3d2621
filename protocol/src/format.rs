//! Numbers and times as people read them.

/// Formats milliseconds for display: `850 ms`, `1.25 s`, or an en dash for no data.
pub fn format_ms(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        Some(ms) if ms < 1000.0 => format!("{} ms", ms.round() as i64),
        Some(ms) => format!("{:.2} s", ms / 1000.0),
    }
}

/// Formats unix milliseconds as `YYYY-MM-DD HH:MM UTC` (no time-zone database needed).
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm), valid for the whole i64 day range we use.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_shown_in_the_unit_a_person_reads() {
        assert_eq!(format_ms(None), "–");
        assert_eq!(format_ms(Some(849.6)), "850 ms");
        assert_eq!(format_ms(Some(1250.0)), "1.25 s");
    }

    #[test]
    fn utc_timestamps_match_the_calendar() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_765_860_000), "2026-11-27 07:51 UTC");
    }
}
