//! Getting updates in and handing them to the bot.
//!
//! Long polling (or the webhook route) writes every update to the inbound
//! table first and only then confirms it to Telegram (the next `getUpdates`
//! offset, or the 200), so a crash loses nothing and a redelivery is dropped
//! by the table's primary key. Updates are then handled one at a time per
//! chat, in `update_id` order, and concurrently across chats.
//!
//! A fixed set of [`WORKERS`] takes chats in the order their next update
//! arrived (oldest first), one update at a time, so a slow handler holds
//! one worker and a chat's flood of updates takes its turns among the
//! others' instead of before them. At most [`BACKLOG`] updates (and
//! [`PER_CHAT`] of one chat) wait in memory; beyond that a chat's new
//! updates stay in the inbound table, where they are stored already, and
//! its worker reads them back from there in order, one per turn.
//!
//! One instance (polling) orders a chat's updates with these in-process
//! queues. Several instances (webhook mode) may each receive updates of the
//! same chat: there a worker takes the chat's lock in `Coord` and handles
//! the chat's pending updates from the table in order, whichever instance
//! stored them. A sweep on every instance claims chats whose updates have
//! waited too long (their instance died, or Redis was unreachable and no
//! lock could be taken), so a stored update is always handled eventually.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Semaphore, mpsc, oneshot, watch};

use super::Bot;
use crate::coord::{CHAT_LOCK_TTL, ChatLock, Coord};
use crate::store::InboundUpdate;

/// Updates handled at once (each of a different chat). Most of a handler's
/// time is waiting for Telegram to answer its sends (SQLite's statements
/// on this path run on the task's thread, `store::lite`), so enough to
/// keep both cores busy through those waits (64 left a third of a core
/// idle at saturation, BENCHMARKS.md §8) and to group the handled marks;
/// few enough that an update waits its turn here, in arrival order, and
/// not in the connection pool's queue.
pub const WORKERS: usize = 256;
/// Most updates waiting in memory across all chats.
pub const BACKLOG: usize = 4096;
/// Most updates of one chat waiting in memory.
pub const PER_CHAT: usize = 8;

/// Per-chat queues and the chats ready for a worker.
pub struct Dispatcher {
    bot: Arc<Bot>,
    state: Mutex<State>,
    /// One permit for each chat in `State::ready`; closed when stopping.
    ready_permits: Semaphore,
    /// Webhook mode: chats are locked across instances and drained from the table.
    shared: Option<Coord>,
    marks: HandledMarks,
}

#[derive(Default)]
struct State {
    /// Chats with updates waiting or being handled.
    chats: HashMap<i64, Chat>,
    /// Chats with work and no worker, by the arrival of their next update
    /// (the smallest first).
    ready: BinaryHeap<Reverse<(u64, i64)>>,
    /// Arrivals so far: the order of updates across chats.
    arrivals: u64,
    /// Updates waiting in memory.
    held: usize,
}

#[derive(Default)]
struct Chat {
    /// Updates waiting in memory, oldest first, with their arrival.
    held: VecDeque<(u64, InboundUpdate)>,
    /// Newer updates of the chat wait in the table (the backlog was full,
    /// or the chat had [`PER_CHAT`] waiting; shared mode: the sweep found
    /// it stale): the highest update id known left there.
    in_table: Option<i64>,
    /// A worker has the chat.
    busy: bool,
}

impl Chat {
    fn has_work(&self) -> bool {
        !self.held.is_empty() || self.in_table.is_some()
    }
}

/// What a worker does for a chat in one turn.
enum Job {
    /// An update held in memory.
    Held(InboundUpdate),
    /// The chat's oldest pending update in the table (shared mode: all of
    /// them, under the chat's lock); `known` is the highest id known to be
    /// there when the turn began.
    Table { known: i64 },
}

/// How old an unhandled update must be before any instance's sweep claims
/// it: the instance that stored it normally handles it well within this.
pub const SWEEP_AGE: chrono::Duration = chrono::Duration::seconds(3);
/// How often the sweep looks.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Most chats one sweep claims.
const SWEEP_CHATS: i64 = 1000;
/// Most chats with stored updates one start resumes (each is read back from
/// the table, so none of their updates is held in memory).
const RESUME_CHATS: i64 = 1_000_000;

impl Dispatcher {
    pub fn new(bot: Arc<Bot>, shared: Option<Coord>) -> Arc<Self> {
        let marks = HandledMarks::start(bot.clone());
        let me = Arc::new(Dispatcher {
            bot,
            state: Mutex::new(State::default()),
            ready_permits: Semaphore::new(0),
            shared,
            marks,
        });
        for _ in 0..WORKERS {
            tokio::spawn(me.clone().work());
        }
        me
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an update behind the others of its chat.
    pub fn enqueue(&self, update: InboundUpdate) {
        self.enqueue_all(vec![update]);
    }

    /// Queues updates (in `update_id` order) behind the others of their chats.
    pub fn enqueue_all(&self, mut updates: Vec<InboundUpdate>) {
        updates.sort_by_key(|u| u.update_id);
        let mut woken = 0;
        {
            let mut st = self.state();
            for u in updates {
                woken += usize::from(st.offer(u));
            }
        }
        self.ready_permits.add_permits(woken);
    }

    /// Marks `chat` as having updates waiting in the table (shared mode:
    /// stale ones); false if it was queued here already.
    fn claim_from_table(&self, chat: i64) -> bool {
        let woke = {
            let mut st = self.state();
            if st.chats.contains_key(&chat) {
                return false;
            }
            st.arrivals += 1;
            let at = st.arrivals;
            st.chats.insert(chat, Chat { in_table: Some(i64::MIN), ..Chat::default() });
            st.ready.push(Reverse((at, chat)));
            true
        };
        self.ready_permits.add_permits(usize::from(woke));
        woke
    }

    /// A worker: until the dispatcher stops, takes the ready chat whose next
    /// update came first and handles that one update (or, from the table,
    /// the oldest pending one), then puts the chat back in line if it has
    /// more.
    async fn work(self: Arc<Self>) {
        while let Ok(permit) = self.ready_permits.acquire().await {
            permit.forget();
            let Some((chat, job)) = self.state().take() else { continue };
            let outcome = self.run(chat, &job).await;
            let woke = self.state().done(chat, &job, outcome);
            self.ready_permits.add_permits(usize::from(woke));
        }
    }

    /// Runs one turn; for a polling-mode turn on the table, whether the
    /// table had an update for it.
    async fn run(&self, chat: i64, job: &Job) -> bool {
        match (&self.shared, job) {
            (None, Job::Held(u)) => {
                self.handle_one(u).await;
                true
            }
            (None, Job::Table { .. }) => match self.bot.store.next_pending_for_chat(chat).await {
                Ok(Some(u)) => {
                    self.handle_one(&u).await;
                    true
                }
                Ok(None) => false,
                Err(e) => {
                    // Its updates stay stored: try again on the chat's next turn.
                    tracing::error!(chat, error = %e, "can't read pending updates");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    true
                }
            },
            (Some(coord), Job::Held(u)) => {
                self.drain_locked(coord, chat, Some(u.update_id)).await;
                true
            }
            (Some(coord), Job::Table { .. }) => {
                self.drain_locked(coord, chat, None).await;
                false
            }
        }
    }

    async fn handle_one(&self, u: &InboundUpdate) {
        let started = std::time::Instant::now();
        self.bot.handle(u).await;
        crate::metrics::update_handled(crate::metrics::update_kind(&u.payload), started.elapsed().as_secs_f64());
        if let Err(e) = self.marks.mark(u.update_id).await {
            tracing::error!(update_id = u.update_id, error = %e, "couldn't mark update handled");
        }
    }

    /// Under the chat's lock, handles every pending update of the chat in
    /// order. If another worker holds the lock: with `ours` (an update we
    /// stored), waits until it was handled or the lock is free; without,
    /// leaves the chat to the holder. If the lock can't be taken at all
    /// (Redis unreachable), returns at once: the updates stay stored and the
    /// sweep hands them over when Redis is back. Nothing waits on Redis.
    async fn drain_locked(&self, coord: &Coord, chat: i64, ours: Option<i64>) {
        loop {
            match coord.lock_chat(chat).await {
                Ok(Some(lock)) => {
                    self.drain_chat(coord, chat, &lock).await;
                    coord.unlock_chat(lock).await;
                    return;
                }
                Ok(None) => {
                    let Some(ours) = ours else { return };
                    if self.bot.store.is_handled(ours).await.unwrap_or(false) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => {
                    tracing::debug!(chat, error = %e, "can't lock chat; its updates wait for the sweep");
                    return;
                }
            }
        }
    }

    /// Handles the chat's pending updates in order while `lock` stays ours:
    /// renewed while each update is handled and before the next, and the
    /// first failed renewal ends the run after the update in hand (another
    /// worker may take the chat once the lock lapses).
    async fn drain_chat(&self, coord: &Coord, chat: i64, lock: &ChatLock) {
        loop {
            let u = match self.bot.store.next_pending_for_chat(chat).await {
                Ok(Some(u)) => u,
                Ok(None) => return,
                Err(e) => {
                    tracing::error!(chat, error = %e, "can't read pending updates");
                    return;
                }
            };
            let handled = self.handle_one(&u);
            tokio::pin!(handled);
            let mut held = true;
            loop {
                tokio::select! {
                    _ = &mut handled => break,
                    _ = tokio::time::sleep(CHAT_LOCK_TTL / 3), if held => {
                        held = matches!(coord.renew_chat(lock).await, Ok(true));
                    }
                }
            }
            if !held || !matches!(coord.renew_chat(lock).await, Ok(true)) {
                tracing::warn!(
                    chat,
                    update_id = u.update_id,
                    "lost the chat's lock; its other updates wait for the sweep"
                );
                return;
            }
        }
    }

    /// One look for chats with updates stored before `before` and not
    /// handled; each not already queued here is claimed if its lock is free.
    async fn sweep_once(&self, before: chrono::DateTime<chrono::Utc>, limit: i64) -> usize {
        let chats = match self.bot.store.chats_with_stale_updates(before, limit).await {
            Ok(chats) => chats,
            Err(e) => {
                tracing::warn!(error = %e, "can't look for stale updates");
                return 0;
            }
        };
        chats.into_iter().filter(|chat| self.claim_from_table(*chat)).count()
    }

    /// Chats with updates queued or being handled.
    pub fn in_flight(&self) -> usize {
        self.state().chats.len()
    }

    /// Waits until every queued update is handled, or `deadline` passes.
    pub async fn drained(&self, deadline: Duration) {
        let until = tokio::time::Instant::now() + deadline;
        while self.in_flight() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops the workers once their current update is handled; what is
    /// still queued stays stored for the next start.
    pub fn stop(&self) {
        self.ready_permits.close();
    }
}

/// Stops the dispatcher's workers when dropped: when the bot's run ends,
/// however it ends.
pub struct StopOnDrop(pub Arc<Dispatcher>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

impl State {
    /// Queues `u`; true if its chat became ready.
    fn offer(&mut self, u: InboundUpdate) -> bool {
        self.arrivals += 1;
        let at = self.arrivals;
        let full = self.held >= BACKLOG;
        let chat = u.chat_id;
        let c = self.chats.entry(chat).or_default();
        let was_idle = !c.busy && !c.has_work();
        if let Some(known) = &mut c.in_table {
            // Behind updates in the table: wait there too, in order.
            *known = (*known).max(u.update_id);
        } else if full || c.held.len() >= PER_CHAT {
            c.in_table = Some(u.update_id);
        } else {
            c.held.push_back((at, u));
            self.held += 1;
        }
        if was_idle {
            self.ready.push(Reverse((at, chat)));
        }
        was_idle
    }

    /// The next ready chat and its turn's job; the chat is busy until `done`.
    fn take(&mut self) -> Option<(i64, Job)> {
        let Reverse((_, chat)) = self.ready.pop()?;
        let c = self.chats.get_mut(&chat)?;
        c.busy = true;
        if let Some((_, u)) = c.held.pop_front() {
            self.held -= 1;
            Some((chat, Job::Held(u)))
        } else {
            c.in_table.map(|known| (chat, Job::Table { known }))
        }
    }

    /// Ends a turn: `found` says a polling-mode turn on the table found an
    /// update (there may be more). The chat goes back in line if it has
    /// work: at its next held update's arrival, or, reading from the table,
    /// at the back (one update per turn, so a flood waits its turns).
    /// True if the chat became ready.
    fn done(&mut self, chat: i64, job: &Job, found: bool) -> bool {
        let Some(c) = self.chats.get_mut(&chat) else { return false };
        c.busy = false;
        if let (Job::Table { known }, false) = (job, found) {
            // The table had nothing pending when read (shared mode: the chat
            // was drained, or left to the sweep). Anything known to be
            // there by then was stored before the read, so it was seen; a
            // later arrival keeps the chat reading.
            if c.in_table.is_some_and(|now| now <= *known) {
                c.in_table = None;
            }
        }
        let next = match c.held.front() {
            Some((at, _)) => Some(*at),
            None if c.in_table.is_some() => {
                self.arrivals += 1;
                Some(self.arrivals)
            }
            None => None,
        };
        match next {
            Some(at) => {
                self.ready.push(Reverse((at, chat)));
                true
            }
            None => {
                self.chats.remove(&chat);
                false
            }
        }
    }
}

type Mark = (i64, oneshot::Sender<Result<(), String>>);

/// Marks updates handled with group commit: marks that arrive while one
/// statement runs go together in the next, so under load one write
/// serves many updates. Each caller still waits until its own mark is
/// stored, so a chat's next update is never handled before the previous
/// one is recorded as done.
struct HandledMarks {
    tx: mpsc::UnboundedSender<Mark>,
}

/// Most updates marked by one statement.
const MARKS_PER_STATEMENT: usize = 500;

impl HandledMarks {
    fn start(bot: Arc<Bot>) -> HandledMarks {
        let (tx, mut rx) = mpsc::unbounded_channel::<Mark>();
        tokio::spawn(async move {
            let mut batch: Vec<Mark> = Vec::new();
            while rx.recv_many(&mut batch, MARKS_PER_STATEMENT).await > 0 {
                let ids: Vec<i64> = batch.iter().map(|(id, _)| *id).collect();
                let result = bot.store.mark_handled(&ids, bot.clock.now()).await.map_err(|e| e.to_string());
                for (_, done) in batch.drain(..) {
                    let _ = done.send(result.clone());
                }
            }
        });
        HandledMarks { tx }
    }

    async fn mark(&self, update_id: i64) -> Result<(), String> {
        let (done, stored) = oneshot::channel();
        self.tx.send((update_id, done)).map_err(|_| "the marker stopped".to_string())?;
        stored.await.map_err(|_| "the marker stopped".to_string())?
    }
}

/// Reads the update id and ordering key of a raw update: its chat, or for
/// updates without one (inline queries and chosen inline results, presses
/// on inline messages) the user, so one user's inline query never waits
/// behind another's. A user's id is also their private chat's, so their
/// inline queries keep order with what they say to the bot.
pub fn parse_raw(v: &Value) -> Option<InboundUpdate> {
    let update_id = v["update_id"].as_i64()?;
    let chat_id = v["message"]["chat"]["id"]
        .as_i64()
        .or_else(|| v["edited_message"]["chat"]["id"].as_i64())
        .or_else(|| v["callback_query"]["message"]["chat"]["id"].as_i64())
        .or_else(|| v["callback_query"]["from"]["id"].as_i64())
        .or_else(|| v["inline_query"]["from"]["id"].as_i64())
        .or_else(|| v["chosen_inline_result"]["from"]["id"].as_i64())
        .unwrap_or(0);
    Some(InboundUpdate { update_id, chat_id, payload: v.to_string() })
}

/// Handles what was stored but not handled before the last stop: every
/// chat with pending updates, oldest first, each read back from the table
/// (in shared mode under its lock, so none another instance is working on).
pub async fn resume(dispatcher: &Arc<Dispatcher>) -> anyhow::Result<usize> {
    let limit = if dispatcher.shared.is_some() { SWEEP_CHATS } else { RESUME_CHATS };
    let n = dispatcher.sweep_once(dispatcher.bot.clock.now(), limit).await;
    if n > 0 {
        tracing::info!(chats = n, "resuming chats with stored updates");
    }
    Ok(n)
}

/// Shared mode, until `stop`: every second, claims the chats whose updates
/// were stored more than [`SWEEP_AGE`] ago and are still not handled, when
/// their lock is free. This is how an instance picks up what a dead one
/// stored, and how every chat catches up after a Redis outage.
pub async fn sweep(dispatcher: Arc<Dispatcher>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
        }
        let claimed = dispatcher.sweep_once(dispatcher.bot.clock.now() - SWEEP_AGE, SWEEP_CHATS).await;
        if claimed > 0 {
            tracing::debug!(chats = claimed, "sweep claimed chats with stale updates");
        }
    }
}

/// Long polling until `stop` turns true.
pub async fn poll(dispatcher: Arc<Dispatcher>, mut stop: watch::Receiver<bool>) {
    let bot = dispatcher.bot.clone();
    let mut offset = match bot.store.last_inbound_id().await {
        Ok(Some(id)) => id + 1,
        _ => 0,
    };
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            break;
        }
        let got = tokio::select! {
            _ = stop.changed() => break,
            r = bot.tg.get_updates(offset, 25) => r,
        };
        let raw = match got {
            Ok(raw) => raw,
            Err(e) => {
                failures += 1;
                let backoff = Duration::from_millis(500 * u64::from(failures.min(20)));
                tracing::warn!(error = %e, ?backoff, "getUpdates failed");
                tokio::select! {
                    _ = stop.changed() => break,
                    _ = tokio::time::sleep(backoff) => continue,
                }
            }
        };
        failures = 0;
        let batch: Vec<InboundUpdate> = raw.iter().filter_map(parse_raw).collect();
        let Some(max) = batch.iter().map(|u| u.update_id).max() else { continue };
        // Store before confirming: only after this succeeds does the offset move.
        match bot.store.insert_inbound(&batch, bot.clock.now()).await {
            Ok(fresh) => {
                offset = max + 1;
                dispatcher.enqueue_all(fresh);
            }
            Err(e) => {
                tracing::error!(error = %e, "couldn't store updates; Telegram will deliver them again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    tracing::info!("polling stopped");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(update_id: i64, chat_id: i64) -> InboundUpdate {
        InboundUpdate { update_id, chat_id, payload: String::new() }
    }

    /// Takes every ready turn, ends it as handled, and returns the order:
    /// `(chat, Some(update id))` for a held update, `(chat, None)` for a
    /// turn on the table (which `in_table` says found one, until it is empty).
    fn run_all(st: &mut State, mut in_table: HashMap<i64, usize>) -> Vec<(i64, Option<i64>)> {
        let mut order = Vec::new();
        while let Some((chat, job)) = st.take() {
            let found = match &job {
                Job::Held(u) => {
                    order.push((chat, Some(u.update_id)));
                    true
                }
                Job::Table { .. } => {
                    let left = in_table.entry(chat).or_default();
                    let found = *left > 0;
                    if found {
                        *left -= 1;
                        order.push((chat, None));
                    }
                    found
                }
            };
            st.done(chat, &job, found);
        }
        order
    }

    #[test]
    fn chats_take_turns_in_arrival_order_and_each_chat_in_its_own_order() {
        let mut st = State::default();
        for (id, chat) in [(1, 10), (2, 20), (3, 10), (4, 30), (5, 20)] {
            st.offer(update(id, chat));
        }
        let order = run_all(&mut st, HashMap::new());
        assert_eq!(order, [(10, Some(1)), (20, Some(2)), (10, Some(3)), (30, Some(4)), (20, Some(5))]);
        assert!(st.chats.is_empty() && st.ready.is_empty() && st.held == 0, "nothing left behind");
    }

    #[test]
    fn a_busy_chat_is_not_taken_twice_and_its_next_update_waits_for_it() {
        let mut st = State::default();
        st.offer(update(1, 10));
        st.offer(update(2, 10));
        st.offer(update(3, 20));
        let (chat, first) = st.take().unwrap();
        assert_eq!(chat, 10);
        // While chat 10 is busy, only chat 20 is ready.
        let (other, second) = st.take().unwrap();
        assert_eq!(other, 20);
        assert!(st.take().is_none(), "chat 10's second update waits for its first");
        assert!(st.done(chat, &first, true), "chat 10 is ready again");
        let (again, third) = st.take().unwrap();
        assert!(matches!(third, Job::Held(ref u) if u.update_id == 2) && again == 10);
        assert!(!st.done(other, &second, true));
        assert!(!st.done(again, &third, true));
        assert!(st.chats.is_empty());
    }

    #[test]
    fn a_flooding_chat_waits_in_the_table_and_takes_turns_with_the_others() {
        let mut st = State::default();
        let flood = PER_CHAT as i64 + 20;
        for id in 1..=flood {
            st.offer(update(id, 10));
        }
        assert_eq!(st.held, PER_CHAT, "only PER_CHAT of one chat's updates wait in memory");
        st.offer(update(flood + 1, 20));
        st.offer(update(flood + 2, 30));
        let order = run_all(&mut st, HashMap::from([(10, 20)]));
        // The flood's held updates came first, so they go first, but once
        // it reads from the table it takes one per turn, behind the others.
        let pos = |want: (i64, Option<i64>)| order.iter().position(|o| *o == want).unwrap();
        let flood_held: Vec<_> =
            order.iter().filter(|(c, id)| *c == 10 && id.is_some()).map(|(_, id)| id.unwrap()).collect();
        assert_eq!(flood_held, (1..=PER_CHAT as i64).collect::<Vec<_>>(), "in order");
        assert_eq!(order.iter().filter(|(c, id)| *c == 10 && id.is_none()).count(), 20, "the rest from the table");
        let last_flood = order.iter().rposition(|(c, _)| *c == 10).unwrap();
        assert!(pos((20, Some(flood + 1))) < last_flood && pos((30, Some(flood + 2))) < last_flood);
        assert!(st.chats.is_empty());
    }

    #[test]
    fn beyond_the_backlog_new_updates_wait_in_the_table() {
        let mut st = State::default();
        for id in 0..BACKLOG as i64 {
            st.offer(update(id, id));
        }
        assert_eq!(st.held, BACKLOG);
        st.offer(update(BACKLOG as i64, -1));
        assert_eq!(st.held, BACKLOG, "held no more");
        assert_eq!(st.chats[&-1].in_table, Some(BACKLOG as i64));
        let order = run_all(&mut st, HashMap::from([(-1, 1)]));
        assert_eq!(order.len(), BACKLOG + 1);
        assert_eq!(order.last(), Some(&(-1, None)), "read back from the table in its turn");
    }

    #[test]
    fn a_chat_reading_the_table_keeps_reading_while_updates_arrive() {
        let mut st = State::default();
        for id in 1..=PER_CHAT as i64 + 1 {
            st.offer(update(id, 10));
        }
        for _ in 0..PER_CHAT {
            let (chat, job) = st.take().unwrap();
            st.done(chat, &job, true);
        }
        let (chat, job) = st.take().unwrap();
        assert!(matches!(job, Job::Table { known } if known == PER_CHAT as i64 + 1));
        // Stored and offered while the table was being read: maybe not seen.
        st.offer(update(100, 10));
        assert!(st.done(chat, &job, false), "another read");
        let (chat, job) = st.take().unwrap();
        assert!(matches!(job, Job::Table { known: 100 }));
        assert!(!st.done(chat, &job, false), "nothing pending, nothing arrived: done");
        assert!(st.chats.is_empty());
        // The chat's next update is held again.
        st.offer(update(101, 10));
        assert!(matches!(st.take(), Some((10, Job::Held(_)))));
    }

    #[test]
    fn each_update_has_its_ordering_key() {
        let check = |raw: &str, key: i64| {
            let v: serde_json::Value = serde_json::from_str(raw).unwrap();
            assert_eq!(parse_raw(&v).map(|u| u.chat_id), Some(key), "{raw}");
        };
        check(r#"{"update_id":1,"message":{"chat":{"id":-100},"from":{"id":5}}}"#, -100);
        check(r#"{"update_id":2,"callback_query":{"from":{"id":5},"message":{"chat":{"id":7}}}}"#, 7);
        // No chat: a press on an inline message, an inline query and a
        // chosen inline result are ordered by their user, each apart.
        check(r#"{"update_id":3,"callback_query":{"from":{"id":5},"inline_message_id":"x"}}"#, 5);
        check(r#"{"update_id":4,"inline_query":{"id":"q","from":{"id":41},"query":"bread"}}"#, 41);
        check(r#"{"update_id":5,"inline_query":{"id":"q","from":{"id":42},"query":"bread"}}"#, 42);
        check(r#"{"update_id":6,"chosen_inline_result":{"result_id":"o1t","from":{"id":43}}}"#, 43);
        check(r#"{"update_id":7,"my_chat_member":{}}"#, 0);
    }
}
