//! Per-origin sequencing: what a receiver does with a numbered message,
//! and how long a sender waits before it tries again.

use std::time::Duration;

/// What the receiver does with a sequenced message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// The next one: apply it and advance.
    Apply,
    /// Already applied with the same content: acknowledge, change nothing.
    Duplicate,
    /// Messages are missing before it: refuse; the sender resends from
    /// `expected`.
    Gap { expected: u64 },
    /// A number already used, with other content: refuse and audit (a
    /// replay or a forgery by someone holding the sender's key).
    Replay,
}

/// Decides for message `seq` with body digest `digest`, given the last
/// applied number from that sender and the digest recorded for `seq` when
/// it was applied (if it was).
pub fn decide(last_applied: u64, recorded: Option<&str>, seq: u64, digest: &str) -> Decision {
    if seq == last_applied + 1 {
        Decision::Apply
    } else if seq > last_applied + 1 {
        Decision::Gap {
            expected: last_applied + 1,
        }
    } else if recorded == Some(digest) {
        Decision::Duplicate
    } else {
        Decision::Replay
    }
}

/// The wait before delivery attempt `attempts + 1` after `attempts` failed
/// ones: doubling from one second, at most five minutes. Callers add
/// jitter if many nodes share a partner.
pub fn retry_delay(attempts: u32) -> Duration {
    const MAX: u64 = 300;
    Duration::from_secs(1u64.checked_shl(attempts.min(16)).unwrap_or(MAX).min(MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn decides_each_case() {
        assert_eq!(decide(0, None, 1, "a"), Decision::Apply);
        assert_eq!(decide(4, None, 5, "a"), Decision::Apply);
        assert_eq!(decide(4, None, 7, "a"), Decision::Gap { expected: 5 });
        assert_eq!(decide(4, Some("a"), 3, "a"), Decision::Duplicate);
        assert_eq!(decide(4, Some("a"), 3, "b"), Decision::Replay);
        assert_eq!(decide(4, None, 3, "b"), Decision::Replay);
    }

    #[test]
    fn back_off_doubles_up_to_a_ceiling() {
        let waits: Vec<u64> = (0..12).map(|a| retry_delay(a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(retry_delay(u32::MAX).as_secs(), 300);
    }

    /// A receiver as the store keeps it: the last applied number and the
    /// digest of every applied message.
    #[derive(Default)]
    struct Receiver {
        last: u64,
        digests: HashMap<u64, String>,
        applied: Vec<u64>,
    }

    impl Receiver {
        fn receive(&mut self, seq: u64, digest: &str) -> Decision {
            let d = decide(
                self.last,
                self.digests.get(&seq).map(String::as_str),
                seq,
                digest,
            );
            if d == Decision::Apply {
                self.last = seq;
                self.digests.insert(seq, digest.to_string());
                self.applied.push(seq);
            }
            d
        }
    }

    proptest! {
        /// Whatever the network does (drop, duplicate, reorder), a sender
        /// that resends from its oldest unacknowledged message gets every
        /// message applied exactly once, in order; forged contents under
        /// used numbers are refused as replays.
        #[test]
        fn every_message_is_applied_once_in_order(
            n in 1u64..40,
            deliveries in proptest::collection::vec((0u64..40, any::<bool>(), any::<bool>()), 0..200),
        ) {
            let digest = |s: u64| format!("d{s}");
            let mut rx = Receiver::default();
            let mut acked = 0u64;
            for (offset, forged, drop) in deliveries {
                // The network delivers some message in the window
                // (a resend, a late duplicate or one ahead of its turn).
                let seq = 1 + offset % n;
                // Forgeries of numbers not yet used fail the signature
                // check before sequencing; here only used numbers are.
                let forged = forged && seq <= rx.last;
                let body = if forged { format!("forged{seq}") } else { digest(seq) };
                let d = rx.receive(seq, &body);
                match d {
                    Decision::Apply => prop_assert!(!forged),
                    Decision::Duplicate => prop_assert!(!forged && seq <= rx.last),
                    Decision::Gap { expected } => prop_assert_eq!(expected, rx.last + 1),
                    Decision::Replay => prop_assert!(forged && seq <= rx.last),
                }
                if !drop && matches!(d, Decision::Apply | Decision::Duplicate) {
                    acked = acked.max(seq);
                }
            }
            // Then the sender drains its outbox from the oldest unacknowledged
            // message over a reliable link.
            for seq in (acked + 1)..=n {
                let d = rx.receive(seq, &digest(seq));
                prop_assert!(matches!(d, Decision::Apply | Decision::Duplicate));
            }
            prop_assert_eq!(rx.last, n);
            let expected: Vec<u64> = (1..=n).collect();
            prop_assert_eq!(&rx.applied, &expected);
        }
    }
}
