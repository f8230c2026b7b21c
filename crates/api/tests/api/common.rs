//! A real server on 127.0.0.1:0 with a fresh database, the demo installation, and a second
//! reseller ("OtherTel", domain initech.example) to stand for "another reseller".

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use switchboard_api::{AppState, Config};
use switchboard_store::testing::TestDatabase;

pub const PASSWORD: &str = switchboard_demo::DEMO_PASSWORD;

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub label: &'static str,
    tokens: Mutex<HashMap<String, String>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
    db: Option<TestDatabase>,
}

pub fn test_config() -> Config {
    // Real Argon2id, with small costs so the suite stays fast.
    Config {
        argon2_memory_kib: 256,
        argon2_iterations: 1,
        blob_dir: {
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            std::env::temp_dir().join(format!("switchboard-test-blobs-{}-{n}", std::process::id()))
        },
        ..Config::default()
    }
}

impl TestServer {
    pub async fn start(db: TestDatabase, config: Config) -> TestServer {
        let store = db.store().await;
        let state = AppState::new(store, config).expect("state");
        switchboard_demo::load(&state).await.expect("demo data");
        let label = db.label;
        let server = TestServer::serve(state, label, Some(db)).await;
        server.add_other_reseller().await;
        server
    }

    /// A second instance of Switchboard on this one's database (as behind a load balancer),
    /// with the same settings; stopping it leaves the database to the first.
    pub async fn another_instance(&self) -> TestServer {
        self.another_instance_with(|_| {}).await
    }

    /// Another instance on this one's database, with some settings changed.
    pub async fn another_instance_with(&self, change: impl FnOnce(&mut Config)) -> TestServer {
        let url = &self
            .db
            .as_ref()
            .expect("the first instance holds the database")
            .url;
        let store = switchboard_store::Store::connect(url)
            .await
            .expect("connect");
        let mut config = (*self.state.config).clone();
        config.blob_dir = test_config().blob_dir;
        change(&mut config);
        let state = AppState::new(store, config).expect("state");
        TestServer::serve(state, self.label, None).await
    }

    async fn serve(state: AppState, label: &'static str, db: Option<TestDatabase>) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        let handle = tokio::spawn(async move {
            let header_timeout =
                std::time::Duration::from_secs(serve_state.config.header_read_timeout_seconds);
            let app = switchboard_api::app(serve_state);
            let _ = switchboard_api::server::serve(listener, app, header_timeout, async {
                let _ = rx.await;
            })
            .await;
        });
        TestServer {
            base,
            client: reqwest::Client::new(),
            state,
            label,
            tokens: Mutex::new(HashMap::new()),
            shutdown: Some(tx),
            handle: Some(handle),
            db,
        }
    }

    /// A second reseller with one domain, one site and a basic user 150.
    async fn add_other_reseller(&self) {
        let su = "100@platform.example";
        let (s, r) = self
            .send(
                su,
                Method::POST,
                "/api/v1/resellers",
                Some(json!({"name": "OtherTel"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let body = json!({"name": "initech.example", "description": "Initech", "timezone": "UTC", "reseller_id": r["id"],
            "office_manager": {"extension": "101", "first_name": "Ian", "last_name": "Initech", "password": PASSWORD}});
        let (s, r) = self
            .send(su, Method::POST, "/api/v1/domains", Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (s, site) = self
            .send(
                su,
                Method::POST,
                "/api/v1/domains/initech.example/sites",
                Some(json!({"name": "Main"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{site}");
        self.create_user(
            su,
            "initech.example",
            "150",
            "basic_user",
            Some(site["id"].as_i64().unwrap()),
        )
        .await;
    }

    pub async fn create_user(
        &self,
        as_login: &str,
        domain: &str,
        ext: &str,
        scope: &str,
        site: Option<i64>,
    ) -> Value {
        let body = json!({"extension": ext, "first_name": "Target", "last_name": ext, "scope": scope, "site_id": site, "password": PASSWORD});
        let (s, r) = self
            .send(
                as_login,
                Method::POST,
                &format!("/api/v1/domains/{domain}/users"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "creating {ext}@{domain}: {r}");
        r
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
        self.state.store.close().await;
        let _ = std::fs::remove_dir_all(&self.state.config.blob_dir);
        if let Some(db) = self.db.take() {
            db.drop_database().await;
        }
    }

    /// A domain as the store has it, by name.
    pub async fn domain(&self, name: &str) -> switchboard_domain::Domain {
        self.state
            .store
            .get_domain_by_name(
                &switchboard_policy::operator_visibility(switchboard_policy::Resource::Domains),
                &switchboard_domain::DomainName::parse(name).unwrap(),
            )
            .await
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// An access token for a login (logging in once, then reused).
    pub async fn token(&self, login: &str) -> String {
        if let Some(t) = self.tokens.lock().unwrap().get(login) {
            return t.clone();
        }
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&json!({"username": login, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login {login}");
        let body: Value = r.json().await.unwrap();
        let token = body["access_token"].as_str().unwrap().to_owned();
        self.tokens
            .lock()
            .unwrap()
            .insert(login.to_owned(), token.clone());
        token
    }

    /// Send a request as a login; answers the status and the JSON body (Null when empty).
    pub async fn send(
        &self,
        login: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let token = self.token(login).await;
        self.send_token(&token, method, path, body).await
    }

    pub async fn send_token(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(Value::String(text))
            },
        )
    }

    pub async fn get(&self, login: &str, path: &str) -> (StatusCode, Value) {
        self.send(login, Method::GET, path, None).await
    }

    /// Every item of a list, following cursors with small pages.
    pub async fn list_all(&self, login: &str, path: &str) -> Result<Vec<Value>, StatusCode> {
        let mut items = Vec::new();
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=7&cursor={c}"),
                None => format!("{path}{sep}limit=7"),
            };
            let (s, body) = self.get(login, &url).await;
            if s != StatusCode::OK {
                return Err(s);
            }
            items.extend(body["items"].as_array().unwrap().iter().cloned());
            match body.get("next_cursor").and_then(Value::as_str) {
                Some(c) => cursor = Some(c.to_owned()),
                None => return Ok(items),
            }
        }
    }
}

/// Run a test body against a fresh server on every database.
pub async fn on_each_database<F, Fut>(test: F)
where
    F: Fn(TestServer) -> Fut,
    Fut: std::future::Future<Output = TestServer>,
{
    for db in TestDatabase::all().await {
        eprintln!("-- on {}", db.label);
        let server = TestServer::start(db, test_config()).await;
        let server = test(server).await;
        server.stop().await;
    }
}

impl TestServer {
    /// Send a file body (a WAV recording, a CSV or vCard import) as a login.
    pub async fn send_file(
        &self,
        login: &str,
        method: Method,
        path: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, Value) {
        let token = self.token(login).await;
        let r = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}
