//! The standard `process_*` metrics, read from `/proc` at scrape time:
//! resident memory, CPU seconds, open file descriptors and start time.
//! Elsewhere than Linux they are left out.

use prometheus_client::registry::Registry;

#[cfg(target_os = "linux")]
pub(super) fn register(registry: &mut Registry) {
    use prometheus_client::metrics::counter::ConstCounter;
    use prometheus_client::metrics::gauge::ConstGauge;

    let Some(p) = linux::read() else {
        tracing::warn!("couldn't read /proc/self: process metrics left out");
        return;
    };
    let registry = registry.sub_registry_with_prefix("process");
    registry.register("resident_memory_bytes", "Resident memory size in bytes", ConstGauge::new(p.resident_bytes));
    registry.register("cpu_seconds", "User and system CPU time spent, in seconds", ConstCounter::new(p.cpu_seconds));
    registry.register("open_fds", "Open file descriptors", ConstGauge::new(p.open_fds));
    registry.register(
        "start_time_seconds",
        "Start time of the process since the Unix epoch, in seconds",
        ConstGauge::new(p.start_time_seconds),
    );
}

#[cfg(not(target_os = "linux"))]
pub(super) fn register(_registry: &mut Registry) {}

#[cfg(target_os = "linux")]
mod linux {
    pub struct Figures {
        pub resident_bytes: i64,
        pub cpu_seconds: f64,
        pub open_fds: i64,
        pub start_time_seconds: f64,
    }

    pub fn read() -> Option<Figures> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let boot = std::fs::read_to_string("/proc/stat").ok()?;
        let open_fds = std::fs::read_dir("/proc/self/fd").ok()?.count() as i64;
        // SAFETY: sysconf only reads a configuration value.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
        let ticks = if ticks > 0 { ticks as f64 } else { 100.0 };
        let (utime, stime, start) = stat_times(&stat)?;
        Some(Figures {
            resident_bytes: resident_kib(&status)? * 1024,
            cpu_seconds: (utime + stime) as f64 / ticks,
            open_fds,
            start_time_seconds: boot_time(&boot)? as f64 + start as f64 / ticks,
        })
    }

    /// `utime`, `stime` and `starttime` (in clock ticks) from
    /// `/proc/self/stat`. The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted after its closing parenthesis.
    pub fn stat_times(stat: &str) -> Option<(u64, u64, u64)> {
        let after_name = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // Field 3 (state) is fields[0]; utime is field 14, stime 15, starttime 22.
        let field = |n: usize| fields.get(n - 3)?.parse::<u64>().ok();
        Some((field(14)?, field(15)?, field(22)?))
    }

    /// `VmRSS` from `/proc/self/status`, in KiB.
    pub fn resident_kib(status: &str) -> Option<i64> {
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// `btime` from `/proc/stat`: when the machine booted, in Unix seconds.
    pub fn boot_time(stat: &str) -> Option<u64> {
        let line = stat.lines().find(|l| l.starts_with("btime "))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn parses_proc_files() {
            let stat = "4242 (glean (x) y) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 9 0 12345 1000 200 rest";
            assert_eq!(stat_times(stat), Some((150, 50, 12345)));
            assert_eq!(stat_times("4242 (glean) S 1"), None);
            assert_eq!(resident_kib("Name:\tglean\nVmRSS:\t  20480 kB\nVmSwap: 0 kB\n"), Some(20480));
            assert_eq!(resident_kib("Name:\tglean\n"), None);
            assert_eq!(boot_time("cpu  1 2 3\nbtime 1700000000\nprocesses 9\n"), Some(1_700_000_000));
        }

        #[test]
        fn reads_this_process() {
            let f = read().expect("/proc/self is readable on Linux");
            assert!(f.resident_bytes > 0 && f.open_fds > 0 && f.start_time_seconds > 1_000_000_000.0);
        }
    }
}
