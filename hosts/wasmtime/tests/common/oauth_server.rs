//! The real OAuth 2.0 authorization server of `tests/oauth-server/` (oidc-provider dressed as a
//! GitLab self-managed instance under `/gitlab`), run as a child process for one test.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use forgelink_host::http::HttpClient;
use forgelink_host::wit::Request;
use serde_json::Value;

/// One running server. Dropping it closes its stdin, which stops it.
pub struct OAuthServer {
    child: Child,
    stdin: Option<ChildStdin>,
    /// `http://127.0.0.1:PORT/gitlab`
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub control_url: String,
    /// A personal access token its API accepts (scopes `api` and `read_user`).
    pub personal_access_token: String,
    http: HttpClient,
}

fn repository_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn field(line: &Value, name: &str) -> String {
    match line[name].as_str() {
        Some(value) => value.to_owned(),
        None => panic!("the OAuth server's first line has no {name}: {line}"),
    }
}

impl OAuthServer {
    /// Starts `node tests/oauth-server/cli.mjs` from the repository root and reads the line
    /// that describes it.
    pub fn start() -> Self {
        let mut child = Command::new("node")
            .arg("tests/oauth-server/cli.mjs")
            .current_dir(repository_root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start node tests/oauth-server/cli.mjs: {error}")
            });
        // Kept for the panic message only; the server's warnings are not the test's business.
        let errors = Arc::new(Mutex::new(String::new()));
        if let Some(mut stderr) = child.stderr.take() {
            let errors = Arc::clone(&errors);
            thread::spawn(move || {
                let mut text = String::new();
                let _ = stderr.read_to_string(&mut text);
                if let Ok(mut errors) = errors.lock() {
                    errors.push_str(&text);
                }
            });
        }
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let description: Value = match (read, serde_json::from_str(&line)) {
            (Ok(_), Ok(value)) => value,
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                thread::sleep(Duration::from_millis(100));
                let errors = errors.lock().map(|e| e.clone()).unwrap_or_default();
                panic!("the OAuth server did not describe itself (got {line:?}); stderr: {errors}");
            }
        };
        let stdin = child.stdin.take();
        OAuthServer {
            child,
            stdin,
            base_url: field(&description, "baseUrl"),
            client_id: field(&description, "clientId"),
            client_secret: field(&description, "clientSecret"),
            redirect_uri: field(&description, "redirectUri"),
            control_url: field(&description, "controlUrl"),
            personal_access_token: field(&description, "personalAccessToken"),
            http: HttpClient::new(&super::test_http_config()).expect("a valid configuration"),
        }
    }

    fn control(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let request = Request {
            method: method.to_owned(),
            url: format!("{}{path}", self.control_url),
            headers: Vec::new(),
            body: body.map(|body| body.as_bytes().to_vec()),
        };
        let response = self
            .http
            .fetch(request)
            .unwrap_or_else(|error| panic!("{method} {path} on the control port: {error:?}"));
        (response.status, String::from_utf8_lossy(&response.body).into_owned())
    }

    /// Signs in as `ada` and consents, as a browser would, and returns the callback URL.
    pub fn approve(&self, authorization_url: &str) -> String {
        self.approve_scopes(authorization_url, None)
    }

    /// Like [`OAuthServer::approve`], granting only `scopes` (space-separated) when given.
    pub fn approve_scopes(&self, authorization_url: &str, scopes: Option<&str>) -> String {
        let path = match scopes {
            Some(scopes) => format!("/approve?scopes={}", scopes.replace(' ', "+")),
            None => "/approve".to_owned(),
        };
        let (status, text) = self.control("POST", &path, Some(authorization_url));
        assert_eq!(status, 200, "approve refused {authorization_url}: {text}");
        text
    }

    /// `{ authorizationCode, refreshToken, revoked }`: token requests by grant type and
    /// successful revocations since the start.
    pub fn stats(&self) -> Value {
        let (status, text) = self.control("GET", "/stats", None);
        assert_eq!(status, 200, "stats: {text}");
        serde_json::from_str(&text).expect("stats are JSON")
    }

    pub fn refresh_requests(&self) -> u64 {
        self.stats()["refreshToken"].as_u64().expect("a count")
    }

    /// Revokes every refresh token issued so far.
    pub fn revoke_refresh_tokens(&self) -> u64 {
        let (status, text) = self.control("POST", "/revoke-refresh-tokens", Some(""));
        assert_eq!(status, 200, "revoke-refresh-tokens: {text}");
        let value: Value = serde_json::from_str(&text).expect("JSON");
        value["revoked"].as_u64().expect("a count")
    }

    /// A GET on the server's API with `token`, to prove a token works; returns the status.
    pub fn api_status(&self, path: &str, token: &str) -> u16 {
        let request = Request {
            method: "GET".into(),
            url: format!("{}{path}", self.base_url),
            headers: vec![("Authorization".into(), format!("Bearer {token}"))],
            body: None,
        };
        self.http.fetch(request).map(|response| response.status).unwrap_or(0)
    }
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
