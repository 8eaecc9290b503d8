//! Getting updates in and handing them to the bot.
//!
//! Long polling (or the webhook route) writes every update to the inbound
//! table first and only then confirms it to Telegram (the next `getUpdates`
//! offset, or the 200), so a crash loses nothing and a redelivery is dropped
//! by the table's primary key. Updates are then handled one at a time per
//! chat, in `update_id` order, and concurrently across chats.
//!
//! One instance (polling) orders a chat's updates with an in-process queue.
//! Several instances (webhook mode) may each receive updates of the same
//! chat: there a worker takes the chat's lock in `Coord` and handles the
//! chat's pending updates from the table in order, whichever instance
//! stored them. A sweep on every instance claims chats whose updates have
//! waited too long (their instance died, or Redis was unreachable and no
//! lock could be taken), so a stored update is always handled eventually.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use super::Bot;
use crate::coord::{CHAT_LOCK_TTL, ChatLock, Coord};
use crate::store::InboundUpdate;

/// Per-chat queues; a chat with a queue has a worker draining it.
pub struct Dispatcher {
    bot: Arc<Bot>,
    queues: Mutex<HashMap<i64, VecDeque<Job>>>,
    /// Webhook mode: chats are locked across instances and drained from the table.
    shared: Option<Coord>,
    marks: HandledMarks,
}

/// Work for a chat's worker.
enum Job {
    /// An update this instance just stored (or, polling, resumed).
    Stored(InboundUpdate),
    /// Shared mode: the chat has updates stored a while ago and not handled
    /// (its instance died, or Redis was down); drain them if the chat's
    /// lock is free.
    Stale,
}

/// How old an unhandled update must be before any instance's sweep claims
/// it: the instance that stored it normally handles it well within this.
pub const SWEEP_AGE: chrono::Duration = chrono::Duration::seconds(3);
/// How often the sweep looks.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// Most chats one sweep claims.
const SWEEP_CHATS: i64 = 1000;

impl Dispatcher {
    pub fn new(bot: Arc<Bot>, shared: Option<Coord>) -> Arc<Self> {
        let marks = HandledMarks::start(bot.clone());
        Arc::new(Dispatcher { bot, queues: Mutex::new(HashMap::new()), shared, marks })
    }

    /// Queues an update behind the others of its chat, starting a worker
    /// for the chat if none is running.
    pub fn enqueue(self: &Arc<Self>, update: InboundUpdate) {
        self.push(update.chat_id, Job::Stored(update));
    }

    fn push(self: &Arc<Self>, chat: i64, job: Job) {
        let start_worker = {
            let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
            match queues.get_mut(&chat) {
                Some(q) => {
                    q.push_back(job);
                    false
                }
                None => {
                    queues.insert(chat, VecDeque::from([job]));
                    true
                }
            }
        };
        if start_worker {
            let me = self.clone();
            tokio::spawn(async move { me.drain(chat).await });
        }
    }

    async fn drain(self: Arc<Self>, chat: i64) {
        loop {
            let next = {
                let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
                match queues.get_mut(&chat).and_then(VecDeque::pop_front) {
                    Some(u) => u,
                    None => {
                        queues.remove(&chat);
                        return;
                    }
                }
            };
            // The chat's (possibly empty) queue stays in the map while this
            // update is handled, so updates arriving meanwhile wait for it.
            match (&self.shared, next) {
                (None, Job::Stored(u)) => self.handle_one(&u).await,
                // Only the shared sweep makes stale jobs.
                (None, Job::Stale) => {}
                (Some(coord), Job::Stored(u)) => self.drain_locked(coord, chat, Some(u.update_id)).await,
                (Some(coord), Job::Stale) => self.drain_locked(coord, chat, None).await,
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
    async fn sweep_once(self: &Arc<Self>, before: chrono::DateTime<chrono::Utc>) -> usize {
        let chats = match self.bot.store.chats_with_stale_updates(before, SWEEP_CHATS).await {
            Ok(chats) => chats,
            Err(e) => {
                tracing::warn!(error = %e, "can't look for stale updates");
                return 0;
            }
        };
        let mut claimed = 0;
        for chat in chats {
            let queued = self.queues.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&chat);
            if !queued {
                self.push(chat, Job::Stale);
                claimed += 1;
            }
        }
        claimed
    }

    /// Updates queued or being handled.
    pub fn in_flight(&self) -> usize {
        self.queues.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Waits until every queued update is handled, or `deadline` passes.
    pub async fn drained(&self, deadline: Duration) {
        let until = tokio::time::Instant::now() + deadline;
        while self.in_flight() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
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

/// Handles what was stored but not handled before the last stop. In
/// shared mode that is every chat with pending updates, each drained under
/// its lock (so none another instance is working on).
pub async fn resume(dispatcher: &Arc<Dispatcher>) -> anyhow::Result<usize> {
    if dispatcher.shared.is_some() {
        let n = dispatcher.sweep_once(dispatcher.bot.clock.now()).await;
        if n > 0 {
            tracing::info!(chats = n, "resuming chats with stored updates");
        }
        return Ok(n);
    }
    let pending = dispatcher.bot.store.pending_inbound(100_000).await?;
    let n = pending.len();
    for u in pending {
        dispatcher.enqueue(u);
    }
    if n > 0 {
        tracing::info!(updates = n, "resuming updates stored before the last stop");
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
        let claimed = dispatcher.sweep_once(dispatcher.bot.clock.now() - SWEEP_AGE).await;
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
                for u in fresh {
                    dispatcher.enqueue(u);
                }
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
    use super::parse_raw;

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
