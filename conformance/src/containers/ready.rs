//! Telling when a freshly started server answers: a real connection through the Toasty
//! driver for PostgreSQL and MySQL (during their first-start initialisation the images
//! run a temporary server without TCP, and Docker's port proxy accepts connections
//! before anything listens, so only a full handshake proves readiness), and an HTTP
//! response for DynamoDB Local.

use super::service::Service;
use std::time::{Duration, Instant};
use toasty_core::driver::Driver;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Pause between probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(500);

/// Waits until the server of `service` at `url` answers, at most `within`; `Err` says
/// what the last probe saw.
pub async fn wait(service: Service, url: &str, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        let last = match tokio::time::timeout(PROBE_TIMEOUT, probe(service, url)).await {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => e,
            Err(_) => format!("no answer within {PROBE_TIMEOUT:?}"),
        };
        if Instant::now() + PROBE_INTERVAL >= deadline {
            return Err(format!(
                "the {} server at {url} did not answer within {within:?} (last try: {last})",
                service.name()
            ));
        }
        tokio::time::sleep(PROBE_INTERVAL).await;
    }
}

/// One attempt.
async fn probe(service: Service, url: &str) -> Result<(), String> {
    match service {
        Service::Postgres => {
            let driver = toasty_postgres::Postgres::new(url).map_err(|e| e.to_string())?;
            driver.connect().await.map(drop).map_err(|e| e.to_string())
        }
        Service::Mysql => {
            let driver = toasty_mysql::Mysql::new(url).map_err(|e| e.to_string())?;
            driver.connect().await.map(drop).map_err(|e| e.to_string())
        }
        Service::Dynamodb => http_answers(url).await,
    }
}

/// Whether an HTTP server answers at `url` (`http://host:port`): any status line will
/// do (DynamoDB Local rejects an unsigned request, but it has to be serving to say so).
async fn http_answers(url: &str) -> Result<(), String> {
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n\
         Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\
         Connection: close\r\n\r\n{{}}"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send to {addr}: {e}"))?;
    let mut head = [0u8; 12];
    let mut read = 0;
    while read < head.len() {
        let n = stream
            .read(&mut head[read..])
            .await
            .map_err(|e| format!("read from {addr}: {e}"))?;
        if n == 0 {
            break;
        }
        read += n;
    }
    if head[..read].starts_with(b"HTTP/1.") {
        Ok(())
    } else {
        Err(format!(
            "{addr} closed the connection without an HTTP answer ({:?})",
            String::from_utf8_lossy(&head[..read])
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    /// A listener that answers every connection with `reply` and closes it.
    async fn stub(reply: &'static [u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(reply).await;
            }
        });
        format!("http://{addr}")
    }

    #[test]
    fn an_http_answer_is_ready_and_a_silent_close_is_not() {
        rt().block_on(async {
            let url = stub(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
            wait(Service::Dynamodb, &url, Duration::from_secs(5))
                .await
                .unwrap();
            // What Docker's port proxy does before the server listens.
            let url = stub(b"").await;
            let start = Instant::now();
            let err = wait(Service::Dynamodb, &url, Duration::from_secs(2))
                .await
                .unwrap_err();
            assert!(err.contains("did not answer within"), "{err}");
            assert!(start.elapsed() < Duration::from_secs(5), "{err}");
        });
    }

    #[test]
    fn sql_servers_are_ready_when_the_driver_connects() {
        rt().block_on(async {
            // Nothing listens on port 9 (discard) on 127.0.0.1 here.
            let err = wait(
                Service::Postgres,
                "postgres://toasty:toasty@127.0.0.1:9/toasty",
                Duration::from_secs(1),
            )
            .await
            .unwrap_err();
            assert!(err.contains("postgres server"), "{err}");
            // A real server, where the run provides one.
            for service in [Service::Postgres, Service::Mysql] {
                match std::env::var(service.env_var()) {
                    Ok(url) => wait(service, &url, Duration::from_secs(10)).await.unwrap(),
                    Err(_) => eprintln!(
                        "{} is not set; not probing a real server",
                        service.env_var()
                    ),
                }
            }
        });
    }
}
