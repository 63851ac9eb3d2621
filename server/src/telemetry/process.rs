//! This process's memory and CPU, read from `/proc` (Linux). Elsewhere both read 0.

use std::{sync::Mutex, time::Instant};

/// Linux reports CPU times in clock ticks of 1/100 s on every platform we run on.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Default)]
pub struct ProcessSampler {
    state: Mutex<Sampled>,
}

#[derive(Default)]
struct Sampled {
    last: Option<(Instant, u64)>,
    usage: f64,
}

/// Resident memory in MB.
pub fn resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| (pages * 4096) as f64 / (1024.0 * 1024.0))
        .unwrap_or(0.0)
}

/// The machine's memory (`MemTotal`), MB; 0 when unknown.
pub fn total_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))?
                .split_whitespace()
                .next()?
                .parse::<f64>()
                .ok()
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// Shorter than this since the last sample, a new one would be mostly rounding (CPU
/// times come in 10 ms ticks): the last value stands.
const MIN_INTERVAL_SECS: f64 = 1.0;

impl ProcessSampler {
    /// Measures the CPU used since the previous sample, as a share of all cores (0..=1),
    /// and keeps it. Called by the sampler on its interval; a call sooner than
    /// [`MIN_INTERVAL_SECS`] after the last returns the last value.
    pub fn sample(&self) -> f64 {
        let Some(ticks) = cpu_ticks() else { return 0.0 };
        let now = Instant::now();
        let mut state = self.state.lock().expect("cpu sampler lock");
        match state.last {
            Some((then, before)) => {
                let secs = now.duration_since(then).as_secs_f64();
                if secs < MIN_INTERVAL_SECS {
                    return state.usage;
                }
                let cores = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1) as f64;
                state.usage =
                    ((ticks.saturating_sub(before)) as f64 / TICKS_PER_SEC / secs / cores)
                        .clamp(0.0, 1.0);
            }
            None => state.usage = 0.0,
        }
        state.last = Some((now, ticks));
        state.usage
    }

    /// The CPU share of the latest sample (what `/health` and `/metrics` show): reading
    /// it measures nothing.
    pub fn cpu_usage(&self) -> f64 {
        self.state.lock().expect("cpu sampler lock").usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_plausible_resident_size() {
        let mb = resident_mb();
        assert!(mb > 1.0 && mb < 4096.0, "{mb} MB");
    }

    #[test]
    fn reads_close_together_repeat_the_last_sample_instead_of_spiking() {
        let s = ProcessSampler::default();
        assert_eq!(
            s.sample(),
            0.0,
            "the first sample has nothing to compare with"
        );
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        // Busy, but well under a second since the first: no share from 10 ms ticks.
        assert_eq!(s.sample(), 0.0);
        assert_eq!(s.cpu_usage(), 0.0, "reading measures nothing");
        std::thread::sleep(std::time::Duration::from_millis(1_100));
        let u = s.sample();
        assert!(
            (0.0..1.0).contains(&u),
            "{u}: a share over more than a second"
        );
        assert_eq!(s.cpu_usage(), u);
    }
}
