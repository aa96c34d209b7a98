//! A small connection pool shared by every clone of a [`crate::Db`].
//!
//! Connections are opened lazily up to `max_size`. A checkout waits at most
//! `wait_timeout` for a free slot. A connection that sat idle for longer than
//! `health_check_after` is health-checked ([`Connection::is_valid`], usually a round
//! trip) before it is handed out; a recently used one is not, so a busy application pays
//! no extra round trip per operation. A connection whose operation failed with a
//! connection error is dropped instead of being returned, so the next checkout opens a
//! fresh one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use toasty_core::driver::{Connection, Driver};
use toasty_core::{Error, Result};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// Most connections open at once (capped by the driver's own limit).
    pub max_size: usize,
    /// How long a checkout may wait for a free connection.
    pub wait_timeout: Option<Duration>,
    /// How long opening a new connection may take (`None`: no limit).
    pub create_timeout: Option<Duration>,
    /// Idle time after which a connection is health-checked before reuse.
    pub health_check_after: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_size: 8,
            wait_timeout: Some(Duration::from_secs(30)),
            create_timeout: Some(Duration::from_secs(30)),
            health_check_after: Duration::from_secs(5),
        }
    }
}

/// The connection pool of a [`crate::Db`] (`db.pool()`): connections are opened when
/// needed, up to [`max_size`](Pool::max_size), and reused.
pub struct Pool {
    driver: Arc<dyn Driver>,
    idle: Mutex<Vec<(Box<dyn Connection>, Instant)>>,
    slots: Arc<Semaphore>,
    config: PoolConfig,
}

/// A checked-out connection; give it back with [`Pool::put`] or drop it.
pub(crate) struct Pooled {
    pub(crate) conn: Box<dyn Connection>,
    _permit: OwnedSemaphorePermit,
}

impl Pool {
    pub(crate) fn new(driver: Arc<dyn Driver>, mut config: PoolConfig) -> Pool {
        config.max_size = config.max_size.clamp(1, driver.max_connections().max(1));
        Pool {
            slots: Arc::new(Semaphore::new(config.max_size)),
            driver,
            idle: Mutex::new(Vec::new()),
            config,
        }
    }

    /// The most connections open at once (the builder's `max_pool_size`, capped by the
    /// driver's own limit: 1 for in-memory SQLite).
    pub fn max_size(&self) -> usize {
        self.config.max_size
    }

    /// How many connections are checked out now (by running statements, transactions
    /// and held [`crate::Connection`]s).
    pub fn in_use(&self) -> usize {
        self.config
            .max_size
            .saturating_sub(self.slots.available_permits())
    }

    /// How many open connections wait idle in the pool now.
    pub fn idle(&self) -> usize {
        self.idle.lock().map_or(0, |idle| idle.len())
    }

    /// The driver connections come from.
    pub(crate) fn driver(&self) -> &dyn Driver {
        &*self.driver
    }

    pub(crate) async fn get(&self) -> Result<Pooled> {
        // The common case, a free slot and a recently used idle connection, needs no
        // await; everything else (waiting, health checks, connecting) is boxed so the
        // future of every operation stays small.
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            let recent = self.idle.lock().ok().and_then(|mut idle| {
                let fresh = idle
                    .last()
                    .is_some_and(|(_, since)| since.elapsed() < self.config.health_check_after);
                if fresh {
                    idle.pop()
                } else {
                    None
                }
            });
            if let Some((conn, _)) = recent {
                return Ok(Pooled {
                    conn,
                    _permit: permit,
                });
            }
            return Box::pin(self.checkout(permit)).await;
        }
        Box::pin(self.get_slow()).await
    }

    /// Waits for a free slot, then checks a connection out.
    async fn get_slow(&self) -> Result<Pooled> {
        let permit = match self.slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let waiting = tracing::enabled!(target: "toasty::pool", tracing::Level::DEBUG)
                    .then(Instant::now);
                let acquire = self.slots.clone().acquire_owned();
                let acquired = match self.config.wait_timeout {
                    Some(limit) => tokio::time::timeout(limit, acquire).await.map_err(|_| {
                        Error::connection(format!(
                            "timed out after {limit:?} waiting for a free connection (pool size \
                             {}); raise the pool size or shorten transactions",
                            self.config.max_size
                        ))
                    })?,
                    None => acquire.await,
                };
                let permit =
                    acquired.map_err(|_| Error::connection("the connection pool is closed"))?;
                if let Some(since) = waiting {
                    tracing::debug!(
                        target: "toasty::pool",
                        wait_us = since.elapsed().as_micros() as u64,
                        pool_size = self.config.max_size,
                        "checkout waited for a free connection"
                    );
                }
                permit
            }
        };
        self.checkout(permit).await
    }

    /// With a slot held: an idle connection (health-checked if it sat idle too long) or
    /// a new one.
    async fn checkout(&self, permit: OwnedSemaphorePermit) -> Result<Pooled> {
        loop {
            let candidate = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            match candidate {
                Some((mut conn, since)) => {
                    if since.elapsed() < self.config.health_check_after || conn.is_valid().await {
                        return Ok(Pooled {
                            conn,
                            _permit: permit,
                        });
                    }
                    tracing::info!(
                        target: "toasty::pool",
                        driver = self.driver.capability().name,
                        "connection discarded: its health check failed; it will be replaced"
                    );
                }
                None => break,
            }
        }
        let opening =
            tracing::enabled!(target: "toasty::pool", tracing::Level::DEBUG).then(Instant::now);
        let conn = match self.config.create_timeout {
            Some(limit) => tokio::time::timeout(limit, self.driver.connect())
                .await
                .map_err(|_| {
                    Error::connection(format!(
                        "timed out after {limit:?} connecting to {}",
                        self.driver.capability().name
                    ))
                })??,
            None => self.driver.connect().await?,
        };
        if let Some(since) = opening {
            tracing::debug!(
                target: "toasty::pool",
                driver = self.driver.capability().name,
                duration_us = since.elapsed().as_micros() as u64,
                "connection opened"
            );
        }
        Ok(Pooled {
            conn,
            _permit: permit,
        })
    }

    pub(crate) fn put(&self, pooled: Pooled, healthy: bool) {
        if healthy {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push((pooled.conn, Instant::now()));
            }
        } else {
            tracing::info!(
                target: "toasty::pool",
                driver = self.driver.capability().name,
                "connection discarded after a failure; the next checkout opens a new one"
            );
        }
    }
}
