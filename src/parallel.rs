//! Whether a helper thread is worth starting (the chart reader, the template parser and the head
//! reader ask), and where to cut a list of jobs so that two threads get about the same work.
//!
//! The core count is read once per process: `std::thread::available_parallelism` reads several
//! cgroup files on every call.
use std::sync::OnceLock;

/// How many threads may run at once (1 when it cannot be told).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Whether a helper thread is worth starting: there is a second core.
pub fn has_second_core() -> bool {
    cores() > 1
}

/// Where to cut `items` so that both halves carry about the same `weight`: the first half is
/// `items[..at]`.
pub fn balanced_split<T>(items: &[T], weight: impl Fn(&T) -> usize) -> usize {
    let total: usize = items.iter().map(&weight).sum();
    let mut seen = 0;
    items
        .iter()
        .position(|item| {
            seen += weight(item);
            seen * 2 >= total
        })
        .map_or(items.len(), |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_balances_weight() {
        assert_eq!(balanced_split(&[1, 1, 1, 1], |w| *w), 2);
        assert_eq!(balanced_split(&[10, 1, 1, 1], |w| *w), 1);
        assert_eq!(balanced_split(&[1, 1, 1, 10], |w| *w), 4);
        assert_eq!(balanced_split::<usize>(&[], |w| *w), 0);
    }

    #[test]
    fn cores_is_at_least_one() {
        assert!(cores() >= 1);
        assert_eq!(cores(), cores());
    }
}
