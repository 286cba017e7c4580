//! Helpers for driving the real `selecta` binary.

#![allow(dead_code)] // each test binary uses a different part

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The bundled real catalog.
pub fn catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/spotify_songs.csv.gz")
}

/// `selecta` with a clean environment for the variables it reads.
pub fn selecta() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_selecta"));
    for var in [
        "MODEL_URL",
        "SELECTA_ADDR",
        "SELECTA_SITE_ROOT",
        "SELECTA_MODEL_CACHE",
        "SELECTA_CATALOG",
        "SELECTA_ADMIN_TOKEN",
        "SELECTA_MODEL_WATCH",
        "SELECTA_API_KEYS",
        "SELECTA_API_RATE_LIMIT",
        "SELECTA_API_RATE_BURST",
        "SELECTA_API_TRUST_FORWARDED_FOR",
        "SELECTA_TRUSTED_PROXIES",
        "SELECTA_WEB_RATE_LIMIT",
        "SELECTA_WEB_RATE_BURST",
        "SELECTA_MAX_SESSIONS",
        "SELECTA_API_CORS_ORIGINS",
        "SELECTA_API_MAX_SEEDS",
        "SELECTA_PUBLIC_URL",
        "S3_ENDPOINT_URL",
        "S3_FORCE_PATH_STYLE",
        "REDIS_URL",
        "SPOTIFY_CLIENT_ID",
        "SPOTIFY_CLIENT_SECRET",
        "SPOTIFY_ACCOUNTS_URL",
        "SPOTIFY_API_URL",
    ] {
        c.env_remove(var);
    }
    c.env("SELECTA_LOG", "info").stdin(Stdio::null());
    // A flag given by a test wins over this.
    c.env("SELECTA_MODEL_CACHE", shared_model_cache());
    c
}

/// The model cache of the commands of one test binary, in a temporary folder: without it, a
/// command that fits from the catalog saves `data/model.selecta` into the source tree.
fn shared_model_cache() -> PathBuf {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap())
        .path()
        .join("model.selecta")
}

/// Runs to completion and returns the output.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run selecta")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A model fitted once per test binary (fitting takes seconds; learning, which a debug build
/// makes slow, is left to the tests of its own) in a temporary folder.
pub fn fitted_model() -> PathBuf {
    static MODEL: std::sync::OnceLock<(tempfile::TempDir, PathBuf)> = std::sync::OnceLock::new();
    let (_, path) = MODEL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.selecta");
        let o = run(selecta()
            .args(["fit", "--no-learn", "--catalog"])
            .arg(catalog())
            .arg("--out")
            .arg(&path));
        assert!(o.status.success(), "fit failed: {}", stderr(&o));
        (dir, path)
    });
    path.clone()
}

/// A site folder with the files `serve` checks for (their contents do not matter here).
pub fn fake_site(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    for f in ["frontend.js", "frontend_bg.wasm", "main.css"] {
        std::fs::write(site.join("pkg").join(f), b"/* test */").unwrap();
    }
    site
}

/// `selecta serve` on `port`, with a fake site in `dir`, serving the artifact at `model` and
/// keeping its last-good copy in `dir`; more flags and variables may be added before
/// [`Server::start`].
pub fn serve_model(dir: &Path, port: u16, model: &Path) -> Command {
    let site = fake_site(dir);
    let mut cmd = selecta();
    cmd.args([
        "serve",
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--site-root",
    ])
    .arg(&site)
    .arg("--model")
    .arg(model)
    .arg("--model-cache")
    .arg(dir.join("cache.selecta"));
    cmd
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running `selecta serve`, killed on drop.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `cmd` (a `selecta serve ...` on `port`) and waits until it answers.
    pub fn start(mut cmd: Command, port: u16) -> Server {
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start selecta serve");
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("selecta serve exited early: {status}");
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() && server.get("/").0 == 200 {
                return server;
            }
            assert!(Instant::now() < deadline, "selecta serve did not answer");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A plain HTTP/1.1 request; returns the status and the body.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let reply = self.send(method, path, headers, "");
        (reply.status, reply.body)
    }

    /// A plain HTTP/1.1 request with a body; the whole answer.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let (head, body) = text
            .split_once("\r\n\r\n")
            .map(|(h, b)| (h.to_string(), b.to_string()))
            .unwrap_or_default();
        Reply { status, head, body }
    }

    pub fn get(&self, path: &str) -> (u16, String) {
        self.request("GET", path, &[])
    }
}

/// An HTTP answer: status, header block, body (chunked bodies as they came).
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
