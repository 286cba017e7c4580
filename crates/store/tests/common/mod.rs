//! A real S3-compatible server (moto) on 127.0.0.1 for the integration tests.
//!
//! Each test starts its own server on a free port and kills it on drop. The server is found via
//! `SELECTA_MOTO_SERVER` (path to `moto_server`) or in the venv made by
//! `scripts/s3-server.sh install`; without it the tests fail and say how to install it.

#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use selecta_store::{S3Config, Store};

/// The fake credentials the tests sign with; no error message may ever contain the secret.
pub const ACCESS_KEY: &str = "SELECTATESTKEYID";
pub const SECRET_KEY: &str = "selecta-test-secret-must-never-be-logged";

/// Point the SDK's credential chain at fixed test credentials and away from the developer's
/// own AWS configuration. Runs once, before any test thread builds a client.
pub fn init_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::env::set_var("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        std::env::remove_var("AWS_SESSION_TOKEN");
        std::env::remove_var("AWS_PROFILE");
        std::env::remove_var("AWS_ENDPOINT_URL");
        std::env::set_var("AWS_CONFIG_FILE", "/nonexistent/selecta-test/config");
        std::env::set_var(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/selecta-test/credentials",
        );
    });
}

/// Fail loudly if an error text leaks the secret key.
pub fn assert_no_secret(text: &str) {
    assert!(
        !text.contains(SECRET_KEY),
        "error text leaks the secret key: {text}"
    );
}

fn moto_executable() -> PathBuf {
    if let Ok(path) = std::env::var("SELECTA_MOTO_SERVER") {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "SELECTA_MOTO_SERVER={} does not exist; unset it or run `scripts/s3-server.sh install`",
            path.display()
        );
        return path;
    }
    let tools = std::env::var_os("SELECTA_TOOLS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share/selecta/tools"))
        })
        .expect("neither SELECTA_TOOLS nor HOME is set");
    let path = tools.join("moto-venv/bin/moto_server");
    assert!(
        path.is_file(),
        "moto S3 server not found at {}: run `scripts/s3-server.sh install` \
         (or set SELECTA_MOTO_SERVER to a moto_server executable)",
        path.display()
    );
    path
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind a loopback port")
}

/// A moto server process, killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    /// Start moto on a free port and wait until it answers HTTP.
    pub fn start() -> Moto {
        init_env();
        let exe = moto_executable();
        let dir = tempfile::tempdir().expect("temporary directory");
        let log = dir.path().join("moto.log");
        // Another process may grab the port between our probe and moto's bind: try a few.
        for _ in 0..3 {
            let port = free_port();
            let out = std::fs::File::create(&log).expect("moto log file");
            let err = out.try_clone().expect("moto log file");
            let mut child = Command::new(&exe)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
            if wait_ready(&mut child, port, Duration::from_secs(30)) {
                return Moto {
                    child,
                    port,
                    log,
                    _dir: dir,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "moto_server did not start; its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// S3 settings for this server (path-style, as self-hosted stores need).
    pub fn config(&self) -> S3Config {
        S3Config {
            endpoint: Some(self.endpoint()),
            force_path_style: true,
            ..S3Config::default()
        }
    }

    /// A store talking to this server.
    pub fn store(&self) -> Store {
        Store::new(self.config())
    }

    /// Create a bucket with a plain HTTP request (moto does not check signatures).
    pub fn create_bucket(&self, name: &str) {
        let (status, body) = self
            .raw("PUT", &format!("/{name}"), b"")
            .expect("create bucket request");
        assert_eq!(status, 200, "create bucket {name}: {body}");
    }

    /// What moto printed so far (its request log).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn raw(&self, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
        raw_http(self.port, method, path, body)
    }
}

fn wait_ready(child: &mut Child, port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok((status, _)) = raw_http(port, "GET", "/", b"") {
            if status > 0 {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// One HTTP/1.1 request to 127.0.0.1:port; returns status and the whole response.
fn raw_http(port: u16, method: &str, path: &str, body: &[u8]) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
        port,
        body.len()
    )?;
    s.write_all(body)?;
    let mut response = String::new();
    s.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((status, response))
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deterministic pseudo-random bytes (seeded), so large objects are not trivially compressible.
pub fn seeded_bytes(len: usize, seed: u64) -> Vec<u8> {
    use rand::{RngCore, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut bytes = vec![0u8; len];
    rng.fill_bytes(&mut bytes);
    bytes
}
