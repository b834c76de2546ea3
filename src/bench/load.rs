//! A small bounded HTTP/1.1 load generator for loopback benchmarks.
//!
//! Why not an HTTP client library: on the 2-core machines the benchmarks run on, the load
//! generator shares the cores with the server it measures, and a full client (header maps, URL
//! parsing, a connection pool per request) spent as much CPU as the server did. This one writes
//! pre-encoded requests on keep-alive sockets and reads only the status line and
//! `content-length` of each answer, like `wrk` does, so most of the machine goes to the server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request to send: a body and its headers.
#[derive(Clone)]
pub struct Request {
    /// `POST`, `GET`, …
    pub method: &'static str,
    pub body: Bytes,
    pub headers: Vec<(&'static str, String)>,
}

impl Request {
    /// The whole HTTP/1.1 request as it goes on the wire.
    fn encode(&self, addr: SocketAddr, path: &str) -> Bytes {
        let method = self.method;
        let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n");
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("content-length: {}\r\n\r\n", self.body.len()));
        let mut wire = BytesMut::with_capacity(head.len() + self.body.len());
        wire.extend_from_slice(head.as_bytes());
        wire.extend_from_slice(&self.body);
        wire.freeze()
    }
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    /// Latencies of successful requests, sorted, in microseconds.
    pub latencies_us: Vec<u32>,
}

impl Report {
    pub fn throughput(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        self.latencies_us[rank] as f64 / 1000.0
    }
}

/// How requests are paced.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Each connection sends its next request as soon as the previous one is answered.
    Closed,
    /// Requests are started at this total rate, spread over the connections.
    Rate(u32),
}

/// Sends `requests` (round robin) to `path` on `addr` over `connections` keep-alive
/// connections for `duration`, stopping early after `max_requests`. A connection that fails
/// counts its request as failed and reconnects.
pub async fn run(
    addr: SocketAddr,
    path: &str,
    requests: &[Request],
    connections: usize,
    pace: Pace,
    duration: Duration,
    max_requests: u64,
) -> Report {
    let wire: Arc<Vec<Bytes>> = Arc::new(requests.iter().map(|r| r.encode(addr, path)).collect());
    let started = Instant::now();
    let deadline = started + duration;
    let per_connection = max_requests / connections as u64;
    let mut tasks = tokio::task::JoinSet::new();
    for connection in 0..connections {
        let wire = wire.clone();
        tasks.spawn(async move {
            let mut ticker = pace_ticker(pace, connection, connections);
            let mut socket: Option<TcpStream> = None;
            let mut buffer = BytesMut::with_capacity(1024);
            let mut latencies = Vec::new();
            let (mut ok, mut failed) = (0u64, 0u64);
            let mut index = connection;
            while Instant::now() < deadline && ok + failed < per_connection {
                if let Some(ticker) = ticker.as_mut() {
                    ticker.tick().await;
                }
                let request = &wire[index % wire.len()];
                index += connections;
                let sent = Instant::now();
                match exchange(&mut socket, addr, request, &mut buffer).await {
                    Ok(status) if (200..300).contains(&status) => {
                        ok += 1;
                        latencies.push(sent.elapsed().as_micros().min(u32::MAX as u128) as u32);
                    }
                    Ok(_) => failed += 1,
                    Err(_) => {
                        failed += 1;
                        socket = None;
                    }
                }
            }
            (ok, failed, latencies)
        });
    }
    let mut report = Report {
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    while let Some(result) = tasks.join_next().await {
        let (ok, failed, latencies) = result.expect("load task");
        report.ok += ok;
        report.failed += failed;
        report.latencies_us.extend(latencies);
    }
    report.elapsed = started.elapsed();
    report.latencies_us.sort_unstable();
    report
}

fn pace_ticker(pace: Pace, connection: usize, connections: usize) -> Option<tokio::time::Interval> {
    match pace {
        Pace::Rate(rate) => {
            let period = Duration::from_secs_f64(connections as f64 / rate as f64);
            // Stagger the connections so requests arrive evenly, not in bursts.
            let offset = period.mul_f64(connection as f64 / connections as f64);
            let mut interval =
                tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            Some(interval)
        }
        Pace::Closed => None,
    }
}

/// Writes one request and reads its answer; returns the status code.
async fn exchange(
    socket: &mut Option<TcpStream>,
    addr: SocketAddr,
    request: &[u8],
    buffer: &mut BytesMut,
) -> std::io::Result<u16> {
    if socket.is_none() {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        *socket = Some(stream);
        buffer.clear();
    }
    let stream = socket.as_mut().expect("connected above");
    stream.write_all(request).await?;
    loop {
        if let Some((status, length)) = parse_response(buffer)? {
            let _ = buffer.split_to(length);
            return Ok(status);
        }
        if stream.read_buf(buffer).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
    }
}

/// `Some((status, total length))` once `buffer` holds a whole response with a
/// `content-length` (or no body), `None` while more bytes are needed.
fn parse_response(buffer: &[u8]) -> std::io::Result<Option<(u16, usize)>> {
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let Some(head_end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buffer[..head_end]).map_err(|_| invalid("head not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let mut body_length = 0;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("content-length") {
            body_length = value
                .trim()
                .parse::<usize>()
                .map_err(|_| invalid("bad content-length"))?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(invalid("chunked answers are not expected"));
        }
    }
    let total = head_end + 4 + body_length;
    Ok((buffer.len() >= total).then_some((status, total)))
}

#[cfg(test)]
mod tests {
    use super::parse_response;

    #[test]
    fn waits_for_a_whole_response_and_measures_it() {
        let answer =
            b"HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nContent-Length: 5\r\n\r\nnope!";
        assert_eq!(parse_response(&answer[..20]).unwrap(), None);
        assert_eq!(parse_response(&answer[..answer.len() - 1]).unwrap(), None);
        assert_eq!(parse_response(answer).unwrap(), Some((403, answer.len())));
        let empty = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\nHTTP/1.1";
        assert_eq!(parse_response(empty).unwrap(), Some((200, empty.len() - 8)));
    }

    #[test]
    fn refuses_what_it_cannot_measure() {
        assert!(parse_response(b"garbage\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n").is_err());
    }
}
