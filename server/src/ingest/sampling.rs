//! Sample weights: an SDK that sends a share of its data (`sampleRate: 0.1`) declares
//! the rate, and each row it sends stands for `1 / rate` rows, so counts and rates are
//! of the traffic, not of the sample.

/// `1 / rate` for a rate in (0, 1]; 1 when there is none or it is out of range (a rate
/// above 1 or below 0.0001 is not one an SDK sends).
pub fn weight_of(rate: Option<f64>) -> f64 {
    match rate {
        Some(r) if r.is_finite() && (0.000_1..=1.0).contains(&r) => 1.0 / r,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::weight_of;

    #[test]
    fn a_ten_percent_sample_weighs_ten() {
        assert_eq!(weight_of(Some(0.1)), 10.0);
        assert_eq!(weight_of(Some(1.0)), 1.0);
        for bad in [None, Some(0.0), Some(-1.0), Some(2.0), Some(f64::NAN)] {
            assert_eq!(weight_of(bad), 1.0, "{bad:?}");
        }
    }
}
