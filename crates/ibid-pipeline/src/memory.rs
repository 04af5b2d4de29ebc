//! The process's memory as the kernel counts it, for the stage logs: where an ingest's peak
//! is reached matters more than any estimate of what a structure holds.

/// Resident set size and its peak so far, in MB (`VmRSS`, `VmHWM` of `/proc/self/status`);
/// zeros where the kernel does not say (not Linux).
pub(crate) fn resident_mb() -> (u64, u64) {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return (0, 0);
    };
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Where a stage's time and memory go, part by part, for `-v` and the benchmarks
/// (`bench/incremental/add_batch.py` reads these lines).
pub(crate) struct PartClock {
    stage: &'static str,
    lap: std::time::Instant,
}

impl PartClock {
    pub(crate) fn new(stage: &'static str) -> Self {
        Self {
            stage,
            lap: std::time::Instant::now(),
        }
    }

    /// Logs the part just done (seconds since the last one, resident size and peak) and
    /// starts the next.
    pub(crate) fn done(&mut self, part: &str) {
        let (rss_mb, peak_mb) = resident_mb();
        let seconds = self.lap.elapsed().as_secs_f64();
        // Logged under the stages' own module, where filters look for them.
        tracing::info!(
            target: "ibid_pipeline::text",
            part,
            seconds,
            rss_mb,
            peak_mb,
            "{}",
            self.stage
        );
        self.lap = std::time::Instant::now();
    }
}

/// Hands memory the allocator kept after a stage back to the kernel. glibc keeps freed small
/// blocks in its arenas: after the align stage, which holds every alignment pair of the store
/// while it relabels passages, the process stayed 900 MB above what it used, and the text
/// stage's peak was reached on top of that.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's own heaps; it takes no
    // pointer and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_peak_is_at_least_the_current_size() {
        let (rss, peak) = super::resident_mb();
        if cfg!(target_os = "linux") {
            assert!(rss > 0);
        }
        assert!(peak >= rss);
    }
}
