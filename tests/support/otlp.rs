//! A fake OTLP/HTTP collector for end-to-end tests: it accepts connections on 127.0.0.1,
//! records every request (path and raw body) and answers each with 200, so a test can check
//! what a service exported without decoding protobuf.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request the collector received.
#[derive(Debug, Clone)]
pub struct Export {
    pub method: String,
    pub path: String,
    pub body: Vec<u8>,
}

impl Export {
    pub fn body_contains(&self, bytes: &[u8]) -> bool {
        !bytes.is_empty() && self.body.windows(bytes.len()).any(|window| window == bytes)
    }
}

/// The collector; it listens until the test process ends.
pub struct Collector {
    port: u16,
    connections: Arc<AtomicUsize>,
    exports: Arc<Mutex<Vec<Export>>>,
}

impl Collector {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port for the collector");
        let port = listener.local_addr().expect("a bound address").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let exports = Arc::new(Mutex::new(Vec::new()));
        let (counted, recorded) = (connections.clone(), exports.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let recorded = recorded.clone();
                std::thread::spawn(move || serve_connection(stream, &recorded));
            }
        });
        Collector {
            port,
            connections,
            exports,
        }
    }

    /// The base URL, as OTEL_EXPORTER_OTLP_ENDPOINT takes it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many connections were opened to the collector so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn exports(&self) -> Vec<Export> {
        self.exports.lock().expect("no recorder panicked").clone()
    }
}

/// Reads keep-alive HTTP/1.1 requests with a Content-Length body until the peer closes.
fn serve_connection(stream: TcpStream, exports: &Mutex<Vec<Export>>) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut content_length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        exports
            .lock()
            .expect("no recorder panicked")
            .push(Export { method, path, body });
        let answer =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\n\r\n";
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}
