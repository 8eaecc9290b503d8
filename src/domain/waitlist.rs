//! The waitlist of a sold-out deal: a place's state machine and the rule
//! of who gets units that come back. See ARCHITECTURE.md, "Waitlist".

use std::collections::HashMap;

use super::{TransitionError, string_enum, transition};

string_enum! {
    /// Where a place on a waitlist is.
    pub enum WaitStatus: "waitlist status" {
        /// In the queue (`waitlisted`): the place is the order of joining
        /// among the waiting.
        Waiting = "waiting",
        /// Units were handed over as a hold: a reservation (`reserved`)
        /// that lapses after `WAITLIST_HOLD_MINUTES`.
        Held = "held",
        /// The hold was paid (or confirmed, pay at pickup): an order.
        Bought = "bought",
        /// The person said "not this time"; the units went on.
        Passed = "passed",
        /// The hold lapsed unanswered; the units went on.
        Lapsed = "lapsed",
        /// The person left the queue.
        Left = "left",
        /// The deal was withdrawn or ended.
        Closed = "closed",
    }
}

string_enum! {
    pub enum WaitEvent: "waitlist event" {
        Hold = "hold",
        Buy = "buy",
        Pass = "pass",
        Lapse = "lapse",
        Leave = "leave",
        Close = "close",
    }
}

impl WaitEvent {
    /// `(from, to)` pairs this event allows; the store's guarded updates
    /// take their lists from here.
    pub fn table(self) -> &'static [(WaitStatus, WaitStatus)] {
        use WaitStatus::*;
        match self {
            WaitEvent::Hold => &[(Waiting, Held)],
            // A hold that lapsed can still be paid late, if its units are
            // still there (the purchase's own `pay` from `expired`).
            WaitEvent::Buy => &[(Held, Bought), (Lapsed, Bought)],
            WaitEvent::Pass => &[(Held, Passed)],
            WaitEvent::Lapse => &[(Held, Lapsed)],
            // Leaving while holding passes the hold on.
            WaitEvent::Leave => &[(Waiting, Left), (Held, Left)],
            WaitEvent::Close => &[(Waiting, Closed), (Held, Closed)],
        }
    }

    pub fn from_states(self) -> impl Iterator<Item = WaitStatus> {
        self.table().iter().map(|(f, _)| *f)
    }
}

impl WaitStatus {
    pub fn apply(self, event: WaitEvent) -> Result<Self, TransitionError> {
        transition(event.table(), self, "the waitlist place", event.as_str(), Self::as_str)
    }

    /// Still in line or holding units.
    pub fn is_open(self) -> bool {
        matches!(self, WaitStatus::Waiting | WaitStatus::Held)
    }
}

/// A person's place: `position` of `of` people waiting (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub position: u32,
    pub of: u32,
}

/// One person in line, as the hand-out rule sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InLine {
    pub item: i64,
    pub quantity: u32,
    /// Inside their quiet hours now.
    pub asleep: bool,
}

/// Who gets units that came back, in the order of the line: the first
/// awake person whose whole quantity is free gets it; a sleeping person
/// and one who wants more than is free keep their place and are passed
/// over (the next units may be theirs). Nobody gets part of what they
/// asked for. `free` holds what is free of each item and loses what is
/// handed out; returns the indexes of `line` that get a hold. The store
/// runs this inside the transaction that freed the units, and then takes
/// each hold with the stock guard's conditional statement.
pub fn hand_out(line: &[InLine], free: &mut HashMap<i64, u32>) -> Vec<usize> {
    let mut held = Vec::new();
    for (i, p) in line.iter().enumerate() {
        let left = free.get(&p.item).copied().unwrap_or(0);
        if p.asleep || left < p.quantity {
            continue;
        }
        free.insert(p.item, left - p.quantity);
        held.push(i);
    }
    held
}

#[cfg(test)]
mod tests {
    use super::WaitEvent::*;
    use super::WaitStatus::*;
    use super::*;

    #[test]
    fn every_transition() {
        let allowed = [
            (Waiting, Hold, Held),
            (Held, Buy, Bought),
            (Lapsed, Buy, Bought),
            (Held, Pass, Passed),
            (Held, Lapse, Lapsed),
            (Waiting, Leave, Left),
            (Held, Leave, Left),
            (Waiting, Close, Closed),
            (Held, Close, Closed),
        ];
        for (from, event, to) in allowed {
            assert_eq!(from.apply(event), Ok(to), "{from} --{event}-->");
        }
        for &from in WaitStatus::ALL {
            for &event in WaitEvent::ALL {
                if !allowed.iter().any(|(f, e, _)| *f == from && *e == event) {
                    assert!(from.apply(event).is_err(), "{from} --{event}--> should be refused");
                }
            }
        }
    }

    fn check(line: &[(i64, u32, bool)], free: &[(i64, u32)], expected: &[usize]) {
        let line: Vec<InLine> =
            line.iter().map(|&(item, quantity, asleep)| InLine { item, quantity, asleep }).collect();
        let before: HashMap<i64, u32> = free.iter().copied().collect();
        let mut left = before.clone();
        let got = hand_out(&line, &mut left);
        assert_eq!(got, expected, "{line:?} with {before:?}");
        let mut expect_left = before;
        for i in got {
            *expect_left.entry(line[i].item).or_default() -= line[i].quantity;
        }
        assert_eq!(left, expect_left);
    }

    #[test]
    fn who_gets_units_that_came_back() {
        // (item, quantity, asleep) in line order; free units; who gets a hold.
        check(&[(1, 1, false), (1, 1, false), (1, 1, false)], &[(1, 1)], &[0]);
        check(&[(1, 1, false), (1, 1, false), (1, 1, false)], &[(1, 2)], &[0, 1]);
        // A sleeper keeps their place; the next awake person gets it.
        check(&[(1, 1, true), (1, 1, false)], &[(1, 1)], &[1]);
        check(&[(1, 1, true), (1, 1, true)], &[(1, 1)], &[]);
        // Too few for the first: the next whose quantity fits.
        check(&[(1, 3, false), (1, 1, false), (1, 2, false)], &[(1, 2)], &[1]);
        check(&[(1, 2, false), (1, 1, false)], &[(1, 3)], &[0, 1]);
        // Items are separate lines of stock.
        check(&[(1, 1, false), (2, 1, false), (1, 1, false)], &[(2, 1)], &[1]);
        check(&[], &[(1, 5)], &[]);
    }
}
