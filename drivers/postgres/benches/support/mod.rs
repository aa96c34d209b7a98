//! What the PostgreSQL benches share: the server URL, the runtime, a raw tokio-postgres
//! client and quantiles of timing samples.

use tokio_postgres::{Client, NoTls};

/// The server to measure against (`TOASTY_TEST_POSTGRES_URL`), if one is given.
pub fn url() -> Option<String> {
    std::env::var("TOASTY_TEST_POSTGRES_URL").ok()
}

/// A single-threaded runtime, like an application's request handler.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A plain tokio-postgres client (the raw side of a comparison).
pub async fn raw_client(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// The value at quantile `q` (0..=1) of `samples`.
pub fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}
