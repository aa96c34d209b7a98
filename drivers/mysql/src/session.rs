//! [`Session`]: one `mysql_async` connection and the prepared statements it holds.
//!
//! The driver keeps its own statement cache instead of `mysql_async`'s (which is turned
//! off with `stmt_cache_size(0)`): a cached statement is then executed through its
//! handle, so the SQL text is hashed once per operation and never re-scanned for named
//! parameters, which `mysql_async` does on every call given a query string. The cache
//! holds up to [`CAPACITY`] statements; when it is full the least recently used one is
//! closed on the server.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Statement};
use rustc_hash::FxHashMap as HashMap;

/// How many prepared statements a connection keeps open on the server.
pub(crate) const CAPACITY: usize = 256;

/// A connection and its cache of prepared statements, keyed by SQL text.
pub(crate) struct Session {
    /// The connection.
    pub(crate) conn: Conn,
    statements: HashMap<String, Cached>,
    /// Incremented on every lookup; a statement's last use, for eviction.
    tick: u64,
}

/// A prepared statement and when it was last used.
struct Cached {
    statement: Statement,
    used: u64,
}

impl Session {
    /// A session on `conn` with an empty cache.
    pub(crate) fn new(conn: Conn) -> Session {
        Session {
            conn,
            statements: HashMap::default(),
            tick: 0,
        }
    }

    /// The prepared statement for `sql`: from the cache, or prepared on the server now
    /// (closing the least recently used statement when the cache is full).
    pub(crate) async fn prepared(&mut self, sql: &str) -> mysql_async::Result<Statement> {
        self.tick += 1;
        if let Some(cached) = self.statements.get_mut(sql) {
            cached.used = self.tick;
            return Ok(cached.statement.clone());
        }
        if self.statements.len() >= CAPACITY {
            self.evict().await?;
        }
        let statement = self.conn.prep(sql).await?;
        self.statements.insert(
            sql.to_string(),
            Cached {
                statement: statement.clone(),
                used: self.tick,
            },
        );
        Ok(statement)
    }

    /// Closes the least recently used statement.
    async fn evict(&mut self) -> mysql_async::Result<()> {
        let oldest = self
            .statements
            .iter()
            .min_by_key(|(_, c)| c.used)
            .map(|(sql, _)| sql.clone());
        if let Some(cached) = oldest.and_then(|sql| self.statements.remove(&sql)) {
            self.conn.close(cached.statement).await?;
        }
        Ok(())
    }

    /// How many statements are cached.
    #[cfg(test)]
    pub(crate) fn cached(&self) -> usize {
        self.statements.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::{Opts, OptsBuilder};

    /// A session on the test server, or `None` (with the reason printed) without one.
    async fn session() -> Option<Session> {
        let Ok(url) = std::env::var("TOASTY_TEST_MYSQL_URL") else {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "TOASTY_TEST_MYSQL_URL is not set under CI=true");
            eprintln!("skipping: TOASTY_TEST_MYSQL_URL is not set (run scripts/test)");
            return None;
        };
        let opts =
            OptsBuilder::from_opts(Opts::from_url(&url).expect("test URL")).stmt_cache_size(0);
        let conn = Conn::new(opts).await.expect("connect to the test server");
        Some(Session::new(conn))
    }

    fn sql(k: usize) -> String {
        format!("SELECT ? + {k}")
    }

    async fn add(session: &mut Session, k: usize) -> mysql_async::Result<i64> {
        let statement = session.prepared(&sql(k)).await?;
        let n: Option<i64> = session.conn.exec_first(&statement, (1i64,)).await?;
        Ok(n.expect("one row"))
    }

    #[tokio::test]
    async fn the_cache_is_bounded_and_closes_what_it_evicts() {
        let Some(mut s) = session().await else {
            return;
        };
        let first = s.prepared(&sql(0)).await.expect("prepare");
        assert_eq!(add(&mut s, 0).await.expect("run"), 1);
        assert_eq!(s.cached(), 1, "a statement is prepared once");
        for k in 1..CAPACITY {
            assert_eq!(add(&mut s, k).await.expect("run"), 1 + k as i64);
            // Statement 1 stays recently used; statement 0 does not.
            assert_eq!(add(&mut s, 1).await.expect("run"), 2);
        }
        assert_eq!(s.cached(), CAPACITY);
        // One more evicts the least recently used statement, #0, and closes it on the
        // server: its old handle no longer runs.
        assert_eq!(
            add(&mut s, CAPACITY).await.expect("run"),
            1 + CAPACITY as i64
        );
        assert_eq!(s.cached(), CAPACITY);
        let stale: mysql_async::Result<Option<i64>> = s.conn.exec_first(&first, (1i64,)).await;
        assert!(stale.is_err(), "the evicted statement was not closed");
        // #1 survived; #0 is prepared again on demand.
        assert_eq!(add(&mut s, 1).await.expect("run"), 2);
        assert_eq!(add(&mut s, 0).await.expect("run"), 1);
        assert_eq!(s.cached(), CAPACITY);
    }
}
