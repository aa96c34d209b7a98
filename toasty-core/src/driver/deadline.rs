//! Operation time limits for networked drivers, without a runtime timer per operation.
//!
//! A driver must not let an operation hang when the server stops answering: after its
//! limit the operation fails with a connection error. Wrapping every operation in
//! `tokio::time::timeout` does that, but registering and cancelling a runtime timer on
//! every operation measurably slows a fast query (about 1.5 µs of a 17 µs PostgreSQL
//! key lookup on loopback; see `docs/benchmarks.md`).
//!
//! Here each connection owns an [`OperationClock`]: starting an operation is one atomic
//! store of its start time, finishing it another. One process-wide watchdog thread looks
//! at the clocks of all connections, sleeping until the earliest moment an operation in
//! flight could run out of time (and at most the shortest limit while none is in
//! flight), marks an operation that did as expired and wakes its task, which then
//! returns [`Expired`]. An operation therefore fails no earlier than its limit and at most
//! a few milliseconds of scheduling later. The thread never touches the async runtime, so
//! this works on any executor.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The clock value of a connection with no operation in flight.
const IDLE: u64 = 0;
/// The clock value of an operation the watchdog found past its limit.
const EXPIRED: u64 = u64::MAX;

/// An operation ran past its limit (see [`OperationClock::run`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired;

/// The state one connection shares with the watchdog.
struct Slot {
    /// [`IDLE`], [`EXPIRED`], or the start of the operation in flight in microseconds
    /// since [`epoch`] (at least 1).
    started: AtomicU64,
    limit_micros: u64,
    waker: Mutex<Option<Waker>>,
}

/// Limits the operations of one connection to a fixed duration. Cheap to clone (clones
/// share the clock: a connection runs one operation at a time).
#[derive(Clone)]
pub struct OperationClock {
    slot: Arc<Slot>,
    limit: Duration,
}

impl std::fmt::Debug for OperationClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperationClock")
            .field("limit", &self.limit)
            .finish()
    }
}

impl OperationClock {
    /// A clock for operations limited to `limit` (at least one millisecond), watched by
    /// the process-wide watchdog thread (started on first use).
    pub fn new(limit: Duration) -> OperationClock {
        let limit = limit.max(Duration::from_millis(1));
        let slot = Arc::new(Slot {
            started: AtomicU64::new(IDLE),
            limit_micros: u64::try_from(limit.as_micros()).unwrap_or(u64::MAX / 2),
            waker: Mutex::new(None),
        });
        watchdog().register(&slot);
        OperationClock { slot, limit }
    }

    /// The limit.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    /// Runs `operation`; `Err(Expired)` if it did not finish within the limit (it is then
    /// dropped, as with `tokio::time::timeout`). The clock starts now, not at the first
    /// poll: await the returned future right away.
    ///
    /// The future owns `operation` in place (it is not moved again once pinned), so it
    /// is barely larger than `operation` itself.
    pub fn run<F: Future>(&self, operation: F) -> Limited<'_, F> {
        self.slot
            .started
            .store(now_micros().max(1), Ordering::Release);
        Limited {
            slot: &self.slot,
            registered: None,
            _idle: MarkIdle(&self.slot),
            operation,
        }
    }
}

/// Marks the slot idle when the operation ends, however it ends.
struct MarkIdle<'a>(&'a Slot);

impl Drop for MarkIdle<'_> {
    fn drop(&mut self) {
        self.0.started.store(IDLE, Ordering::Release);
    }
}

pin_project! {
    /// An operation under an [`OperationClock`]'s limit (see [`OperationClock::run`]).
    pub struct Limited<'a, F> {
        slot: &'a Slot,
        // The waker last stored in the slot, so the slot's lock is only taken when the
        // task's waker changes (usually once per operation), not on every poll.
        registered: Option<Waker>,
        _idle: MarkIdle<'a>,
        #[pin]
        operation: F,
    }
}

impl<F: Future> Future for Limited<'_, F> {
    type Output = Result<F::Output, Expired>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Register the waker before looking at the clock: the watchdog marks the slot
        // expired before it takes the waker, so an expiry is never missed.
        let known = matches!(&*this.registered, Some(w) if w.will_wake(cx.waker()));
        if !known {
            if let Ok(mut waker) = this.slot.waker.lock() {
                *waker = Some(cx.waker().clone());
            }
            *this.registered = Some(cx.waker().clone());
        }
        if this.slot.started.load(Ordering::Acquire) == EXPIRED {
            return Poll::Ready(Err(Expired));
        }
        this.operation.poll(cx).map(Ok)
    }
}

/// Microseconds since the process-wide epoch.
fn now_micros() -> u64 {
    u64::try_from(epoch().elapsed().as_micros()).unwrap_or(EXPIRED - 1)
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// The registry of every live clock, and the thread that watches them.
struct Watchdog {
    slots: Mutex<Vec<Weak<Slot>>>,
    /// Signalled when a clock registers, so a sleeping watchdog re-plans.
    registered: Condvar,
}

fn watchdog() -> &'static Watchdog {
    static WATCHDOG: OnceLock<&'static Watchdog> = OnceLock::new();
    WATCHDOG.get_or_init(|| {
        let dog: &'static Watchdog = Box::leak(Box::new(Watchdog {
            slots: Mutex::new(Vec::new()),
            registered: Condvar::new(),
        }));
        // If the thread cannot be spawned, limits are not enforced; operations still
        // run and finish normally.
        let _ = std::thread::Builder::new()
            .name("toasty-operation-watchdog".into())
            .spawn(move || dog.watch());
        dog
    })
}

impl Watchdog {
    fn register(&self, slot: &Arc<Slot>) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.push(Arc::downgrade(slot));
            self.registered.notify_one();
        }
    }

    /// The watchdog thread: expire what ran out of time, then sleep until something
    /// could.
    fn watch(&self) {
        let Ok(mut slots) = self.slots.lock() else {
            return;
        };
        loop {
            let now = now_micros();
            let mut next: Option<u64> = None;
            slots.retain(|weak| {
                let Some(slot) = weak.upgrade() else {
                    return false;
                };
                let started = slot.started.load(Ordering::Acquire);
                let wake_at = if started == IDLE || started == EXPIRED {
                    // Nothing in flight: an operation starting now ends no earlier than
                    // this.
                    now.saturating_add(slot.limit_micros)
                } else {
                    let deadline = started.saturating_add(slot.limit_micros);
                    if deadline <= now {
                        // Only expire the operation we looked at, not a newer one.
                        let swapped = slot.started.compare_exchange(
                            started,
                            EXPIRED,
                            Ordering::AcqRel,
                            Ordering::Acquire,
                        );
                        if swapped.is_ok() {
                            if let Some(waker) = slot.waker.lock().ok().and_then(|mut w| w.take()) {
                                waker.wake();
                            }
                        }
                        now.saturating_add(slot.limit_micros)
                    } else {
                        deadline
                    }
                };
                next = Some(next.map_or(wake_at, |n| n.min(wake_at)));
                true
            });
            // `None`: nothing registered, sleep until a clock is.
            let wait = next.map(|at| Duration::from_micros(at.saturating_sub(now_micros())));
            slots = match wait {
                None => match self.registered.wait(slots) {
                    Ok(s) => s,
                    Err(_) => return,
                },
                Some(d) => match self.registered.wait_timeout(slots, d) {
                    Ok((s, _)) => s,
                    Err(_) => return,
                },
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Flag(std::sync::atomic::AtomicBool);

    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    /// Polls `fut` on this thread until it is ready (a tiny executor for tests).
    fn block_on<F: Future>(fut: F) -> F::Output {
        let flag = Arc::new(Flag(std::sync::atomic::AtomicBool::new(true)));
        let waker = Waker::from(flag.clone());
        let mut cx = Context::from_waker(&waker);
        let mut fut = std::pin::pin!(fut);
        loop {
            if flag.0.swap(false, Ordering::SeqCst) {
                if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
                    return v;
                }
            } else {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }

    /// A future that never finishes.
    struct Never;

    impl Future for Never {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    #[test]
    fn a_quick_operation_finishes() {
        let clock = OperationClock::new(Duration::from_secs(5));
        assert_eq!(block_on(clock.run(async { 7 })), Ok(7));
        assert_eq!(clock.slot.started.load(Ordering::SeqCst), IDLE);
    }

    #[test]
    fn a_hanging_operation_expires_after_its_limit_not_before() {
        let clock = OperationClock::new(Duration::from_millis(100));
        let start = Instant::now();
        assert_eq!(block_on(clock.run(Never)), Err(Expired));
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(100),
            "expired early: {took:?}"
        );
        assert!(took < Duration::from_secs(5), "expired late: {took:?}");
        // The clock is reusable afterwards.
        assert_eq!(block_on(clock.run(async { 1 })), Ok(1));
    }

    #[test]
    fn clocks_are_independent() {
        let slow = OperationClock::new(Duration::from_secs(60));
        let fast = OperationClock::new(Duration::from_millis(50));
        let start = Instant::now();
        assert_eq!(block_on(fast.run(Never)), Err(Expired));
        // The long clock's idle re-check must not delay the short one.
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(block_on(slow.run(async { 2 })), Ok(2));
    }

    #[test]
    fn an_expiry_is_not_carried_over_to_the_next_operation() {
        let clock = OperationClock::new(Duration::from_millis(30));
        assert_eq!(block_on(clock.run(Never)), Err(Expired));
        for _ in 0..100 {
            assert_eq!(block_on(clock.run(async { 3 })), Ok(3));
        }
    }
}
