//! How long a message waits before its next publish attempt.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The wait after the `attempts`-th failed attempt (1 for the first): `base` doubled for each
/// attempt after the first, capped at `max`, then jittered down to as little as half, so
/// messages that failed together do not all retry in the same instant.
pub fn delay(attempts: u32, base: Duration, max: Duration) -> Duration {
    let doublings = attempts.saturating_sub(1).min(31);
    let capped = base.saturating_mul(1 << doublings).min(max);
    let half = capped / 2;
    half + half.mul_f64(random_fraction())
}

/// A number in `[0, 1)`. Every `RandomState` is seeded afresh, which is all the randomness
/// jitter needs.
fn random_fraction() -> f64 {
    let bits = RandomState::new().build_hasher().finish() >> 11;
    bits as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(10);

    fn assert_between(value: Duration, low: Duration, high: Duration) {
        assert!(
            low <= value && value <= high,
            "{value:?} is not within {low:?}..={high:?}"
        );
    }

    #[test]
    fn doubles_with_each_attempt_within_the_jitter() {
        assert_between(delay(1, BASE, MAX), BASE / 2, BASE);
        assert_between(delay(2, BASE, MAX), BASE, BASE * 2);
        assert_between(delay(4, BASE, MAX), BASE * 4, BASE * 8);
    }

    #[test]
    fn never_exceeds_the_maximum() {
        assert_between(delay(30, BASE, MAX), MAX / 2, MAX);
        assert_between(delay(u32::MAX, BASE, MAX), MAX / 2, MAX);
    }

    #[test]
    fn spreads_retries_of_one_attempt() {
        let delays: std::collections::HashSet<Duration> =
            (0..20).map(|_| delay(3, BASE, MAX)).collect();
        assert!(delays.len() > 1, "no jitter: {delays:?}");
    }

    #[test]
    fn is_zero_with_a_zero_base() {
        assert_eq!(delay(5, Duration::ZERO, MAX), Duration::ZERO);
    }
}
