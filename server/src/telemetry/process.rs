//! This process's memory and CPU, read from `/proc` (Linux). Elsewhere both read 0.

use std::{sync::Mutex, time::Instant};

/// Linux reports CPU times in clock ticks of 1/100 s on every platform we run on.
const TICKS_PER_SEC: f64 = 100.0;

#[derive(Default)]
pub struct ProcessSampler {
    last: Mutex<Option<(Instant, u64)>>,
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

impl ProcessSampler {
    /// CPU used since the previous call, as a share of all cores (0..=1).
    pub fn cpu_usage(&self) -> f64 {
        let Some(ticks) = cpu_ticks() else { return 0.0 };
        let now = Instant::now();
        let mut last = self.last.lock().expect("cpu sampler lock");
        let usage = match *last {
            Some((then, before)) => {
                let secs = now.duration_since(then).as_secs_f64();
                let cores = std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1) as f64;
                if secs > 0.0 {
                    ((ticks.saturating_sub(before)) as f64 / TICKS_PER_SEC / secs / cores)
                        .clamp(0.0, 1.0)
                } else {
                    0.0
                }
            }
            None => 0.0,
        };
        *last = Some((now, ticks));
        usage
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
    fn cpu_usage_is_a_share() {
        let s = ProcessSampler::default();
        s.cpu_usage();
        let mut x = 0u64;
        for i in 0..2_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        let u = s.cpu_usage();
        assert!((0.0..=1.0).contains(&u), "{u}");
    }
}
