//! Admission in front of a hot row lock: at most [`PER_OFFER`] reservations
//! of one offer at a time reach PostgreSQL's lock queue from this process.
//!
//! This is not what keeps an offer from being oversold: the offer row's
//! lock and the conditional `UPDATE … WHERE quantity - reserved - sold >= $1`
//! do that, across processes, whatever this admits. It only keeps the
//! queue on one row short. A thousand buyers queued on one row make every
//! commit wake the whole queue and every waiter cost a backend; a few
//! admitted at a time overlap one buyer's reads with another's locked
//! section and no more (BENCHMARKS.md, contention).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Reservations of one offer let into the database at once, per process.
///
/// Four: a reservation holds the row lock only for its stock update and
/// its commit (`Store::reserve`), so the others' unlocked parts (reading
/// prices, writing the purchase) overlap it (BENCHMARKS.md §7).
pub const PER_OFFER: usize = 4;

/// The admission gates of the offers being bought right now.
#[derive(Clone, Default)]
pub struct Admission {
    gates: Arc<Mutex<HashMap<i64, Arc<Semaphore>>>>,
}

/// Admitted until dropped.
pub struct Admitted {
    permit: Option<OwnedSemaphorePermit>,
    offer_id: i64,
    gates: Arc<Mutex<HashMap<i64, Arc<Semaphore>>>>,
}

impl Admission {
    /// Waits (in arrival order) until fewer than [`PER_OFFER`] reservations
    /// of `offer_id` are admitted.
    pub async fn enter(&self, offer_id: i64) -> Admitted {
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
            gates.entry(offer_id).or_insert_with(|| Arc::new(Semaphore::new(PER_OFFER))).clone()
        };
        // The semaphore is never closed, so acquiring can't fail.
        let permit = gate.acquire_owned().await.ok();
        Admitted { permit, offer_id, gates: self.gates.clone() }
    }

    /// Offers with a gate (someone admitted or waiting).
    #[cfg(test)]
    fn open_gates(&self) -> usize {
        self.gates.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut gates = self.gates.lock().unwrap_or_else(|p| p.into_inner());
        drop(self.permit.take());
        // Forget the gate when no one else holds or waits on it: the map's
        // own reference is then the only one. Waiters take their reference
        // under this lock, so none can appear in between.
        if gates.get(&self.offer_id).is_some_and(|g| Arc::strong_count(g) == 1) {
            gates.remove(&self.offer_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn at_most_per_offer_are_admitted_and_gates_are_forgotten() {
        let a = Admission::default();
        let mut held = Vec::new();
        for _ in 0..PER_OFFER {
            held.push(a.enter(7).await);
        }
        let other = a.enter(8).await;
        // A timeout of zero polls once: admitted at once, or waiting.
        let now = |offer| tokio::time::timeout(std::time::Duration::ZERO, a.enter(offer));
        assert!(now(7).await.is_err(), "the next buyer of offer 7 waits");
        assert!(now(9).await.is_ok(), "another offer's buyers don't");
        drop(held.pop());
        let last = now(7).await.expect("admitted once one left");
        drop(other);
        assert_eq!(a.open_gates(), 1, "offer 8's gate is gone, 7's still held");
        drop(held);
        drop(last);
        assert_eq!(a.open_gates(), 0);
    }
}
