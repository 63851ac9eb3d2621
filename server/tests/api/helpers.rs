use monitor::{config::Config, startup::Application, state::AppState};
use reqwest::{redirect::Policy, Client, Response};
use serde_json::Value;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = "test-password-123";

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub public_key: String,
    /// An `ingest` token: what servers send business events, logs and metrics with.
    pub ingest_token: String,
    /// Keeps cookies, follows no redirects (tests look at them).
    pub client: Client,
    pub dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    // Logs only when asked for: `RUST_LOG=debug cargo test -- --nocapture`.
    if std::env::var_os("RUST_LOG").is_some() {
        monitor::telemetry::init_tracing();
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(dir.path());
    adjust(&mut config);
    let app = Application::build(config).await.expect("app builds");
    let base = format!("http://{}", app.addr());
    let state = app.state().clone();
    let public_key = state.storage.projects().await.unwrap()[0]
        .public_key
        .clone();
    let ingest_token = monitor::auth::token::new_api_token();
    let admin = state.storage.user_by_name(ADMIN).await.unwrap().unwrap();
    state
        .storage
        .create_api_token(
            admin.id,
            "tests",
            store::TokenScope::Ingest,
            &monitor::auth::token::hash(&ingest_token),
            "rosm_t",
        )
        .await
        .unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    TestApp {
        base,
        state,
        public_key,
        ingest_token,
        client,
        dir,
        stop: Some(stop),
        handle: Some(handle),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_rum(&self, body: impl Into<String>, content_type: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/rum?key={}", self.public_key)))
            .header("content-type", content_type)
            .body(body.into())
            .send()
            .await
            .unwrap()
    }

    pub async fn login_as(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/auth/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self) {
        let r = self.login_as(ADMIN, PASSWORD).await;
        assert_eq!(r.status(), 303, "sign-in redirects");
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let r = self.get(path).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }

    /// Polls `GET path` (up to 10 s) until `done` holds for its JSON; returns that JSON.
    pub async fn wait_json(&self, path: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.get_json(path).await;
            if done(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "GET {path} never matched; last: {v:#}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// A signed-in, same-origin `PUT` with a JSON body.
    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .header("origin", &self.base)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A signed-in, same-origin `POST` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.base)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// A dashboard form post (signed in, same origin), as the browser sends it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(path))
            .header("origin", &self.base)
            .form(fields)
            .send()
            .await
            .unwrap()
    }

    pub async fn stored_events(&self) -> u64 {
        let p = self.state.storage.projects().await.unwrap()[0].id;
        self.state.storage.count_rum_events(p).await.unwrap()
    }

    /// Waits (up to 10 s) until `n` events are stored; returns what is stored then.
    pub async fn wait_for_events(&self, n: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let stored = self.stored_events().await;
            if stored >= n || Instant::now() > deadline {
                return stored;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn stop(self) {
        self.stop_keeping_data().await;
    }

    /// Stops the app and hands back its directory, so a second app can start on the
    /// same database (a restart).
    pub async fn stop_keeping_data(mut self) -> TempDir {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            h.await.unwrap().unwrap();
        }
        self.dir
    }
}

pub fn beacon(page: &str, load: f64) -> Value {
    serde_json::json!({ "type": "pageload", "page": page, "ttfb": load / 10.0, "fcp": load / 2.0, "load": load })
}

pub fn beacons(items: &[Value]) -> String {
    serde_json::json!({ "beacons": items }).to_string()
}

/// The real `monitor` binary on a free port with its own temporary database.
pub struct BinaryApp {
    pub child: std::process::Child,
    pub base: String,
    pub db: std::path::PathBuf,
    _dir: TempDir,
}

impl BinaryApp {
    /// SIGTERM, then waits for the exit status.
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        use nix::{
            sys::signal::{kill, Signal},
            unistd::Pid,
        };
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).unwrap();
        let mut child = std::mem::replace(
            &mut self.child,
            std::process::Command::new("true").spawn().unwrap(),
        );
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap()
            .unwrap()
    }
}

/// A test that fails half-way must not leave the binary running (it would hold the
/// test's output pipe open).
impl Drop for BinaryApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `env` added; returns once it prints its address.
pub fn spawn_binary(password: &str, env: &[(&str, &str)]) -> BinaryApp {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("monitor.db");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_monitor"));
    cmd.current_dir(dir.path())
        .env("MONITOR_SERVER__PORT", "0")
        .env(
            "MONITOR_DATABASE__URL",
            format!("sqlite://{}", db.display()),
        )
        .env("MONITOR_ADMIN_PASSWORD", password)
        .stdout(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("monitor starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    // Keep reading: the binary prints more, and a closed pipe would kill it.
    std::thread::spawn(move || lines.for_each(drop));
    BinaryApp {
        child,
        base,
        db,
        _dir: dir,
    }
}
