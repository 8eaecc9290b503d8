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
//! stored them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use super::Bot;
use crate::coord::Coord;
use crate::store::InboundUpdate;

/// Per-chat queues; a chat with a queue has a worker draining it.
pub struct Dispatcher {
    bot: Arc<Bot>,
    queues: Mutex<HashMap<i64, VecDeque<InboundUpdate>>>,
    /// Webhook mode: chats are locked across instances and drained from the table.
    shared: Option<Coord>,
    marks: HandledMarks,
}

impl Dispatcher {
    pub fn new(bot: Arc<Bot>, shared: Option<Coord>) -> Arc<Self> {
        let marks = HandledMarks::start(bot.clone());
        Arc::new(Dispatcher { bot, queues: Mutex::new(HashMap::new()), shared, marks })
    }

    /// Queues an update behind the others of its chat, starting a worker
    /// for the chat if none is running.
    pub fn enqueue(self: &Arc<Self>, update: InboundUpdate) {
        let chat = update.chat_id;
        let start_worker = {
            let mut queues = self.queues.lock().unwrap_or_else(|p| p.into_inner());
            match queues.get_mut(&chat) {
                Some(q) => {
                    q.push_back(update);
                    false
                }
                None => {
                    queues.insert(chat, VecDeque::from([update]));
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
            match &self.shared {
                None => self.handle_one(&next).await,
                Some(coord) => self.drain_locked(coord, &next).await,
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
    /// order; if another instance holds the lock, waits until it handled
    /// `ours` (or let go of the chat).
    async fn drain_locked(&self, coord: &Coord, ours: &InboundUpdate) {
        let chat = ours.chat_id;
        loop {
            match coord.try_lock_chat(chat).await {
                Ok(true) => {
                    loop {
                        match self.bot.store.next_pending_for_chat(chat).await {
                            Ok(Some(u)) => {
                                self.handle_one(&u).await;
                                // Renew the lock: a long backlog must not outlive it.
                                let _ = coord.try_lock_chat(chat).await;
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::error!(chat, error = %e, "can't read pending updates");
                                break;
                            }
                        }
                    }
                    if let Err(e) = coord.unlock_chat(chat).await {
                        tracing::warn!(chat, error = %e, "couldn't unlock chat");
                    }
                    return;
                }
                Ok(false) => {
                    if self.bot.store.is_handled(ours.update_id).await.unwrap_or(false) {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(e) => {
                    tracing::warn!(chat, error = %e, "can't lock chat; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
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

/// Reads the update id and chat of a raw update.
pub fn parse_raw(v: &Value) -> Option<InboundUpdate> {
    let update_id = v["update_id"].as_i64()?;
    let chat_id = v["message"]["chat"]["id"]
        .as_i64()
        .or_else(|| v["edited_message"]["chat"]["id"].as_i64())
        .or_else(|| v["callback_query"]["message"]["chat"]["id"].as_i64())
        .or_else(|| v["callback_query"]["from"]["id"].as_i64())
        .unwrap_or(0);
    Some(InboundUpdate { update_id, chat_id, payload: v.to_string() })
}

/// Handles what was stored but not handled before the last stop.
pub async fn resume(dispatcher: &Arc<Dispatcher>) -> anyhow::Result<usize> {
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
