//! A GitLab instance's OAuth side on 127.0.0.1, for the tests that run the flows in several
//! processes: the token endpoint (authorization code and refresh grants, rotating refresh
//! tokens as GitLab does), the revocation endpoint, and the user and version API that identify
//! a connection. Each request is served on a thread of its own, so that one request held up
//! does not hold up the others. The test counts refresh requests, holds or swallows them, and
//! reads which tokens were issued and revoked.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::fake_gitlab::{read, Received};

pub const CLIENT_ID: &str = "forgelink-test-application";
pub const CLIENT_SECRET: &str = "gloas-forgelink-test-secret";
pub const REDIRECT_URI: &str = "https://app.example/oauth/callback";

/// What becomes of a refresh request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Refresh {
    /// Answered at once.
    #[default]
    Answer,
    /// Processed (the tokens rotate), but the answer waits until the test releases it.
    Hold,
    /// Counted, then neither processed nor answered: the connection stays open until the test
    /// releases it (and it is closed unanswered) or the server stops, as a request lost on its
    /// way would.
    Swallow,
}

/// One pair of tokens the server issued. A refresh or a revocation ends the pair.
#[derive(Clone, Debug)]
pub struct Grant {
    pub access: String,
    pub refresh: String,
    pub live: bool,
}

#[derive(Default)]
pub struct TokenState {
    /// Every pair issued, oldest first.
    pub grants: Vec<Grant>,
    /// Authorization codes issued and not yet exchanged.
    codes: Vec<String>,
    /// Refresh requests received, whatever became of them.
    pub refresh_requests: u32,
    /// Refresh requests refused because their refresh token was spent or revoked.
    pub invalid_grants: u32,
    /// Every token revoked, in order.
    pub revoked: Vec<String>,
    /// What the next refresh requests meet.
    pub refresh: Refresh,
    /// Requests held or swallowed, waiting for [`TokenServer::release`].
    pub waiting: u32,
    /// Changes on every release, so that waiting requests know theirs came.
    releases: u64,
    stopped: bool,
}

impl TokenState {
    fn issue(&mut self) -> Value {
        let n = self.grants.len();
        let salt = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let grant = Grant {
            access: format!("access-{n}-{salt:08x}"),
            refresh: format!("refresh-{n}-{salt:08x}"),
            live: true,
        };
        let answer = json!({
            "access_token": grant.access,
            "token_type": "Bearer",
            "expires_in": 7200,
            "refresh_token": grant.refresh,
            "scope": "api",
            "created_at": unix_now(),
        });
        self.grants.push(grant);
        answer
    }

    fn live_access(&self, token: &str) -> bool {
        self.grants.iter().any(|grant| grant.live && grant.access == token)
    }

    /// The access tokens issued that still work.
    pub fn live_tokens(&self) -> Vec<String> {
        self.grants.iter().filter(|grant| grant.live).map(|grant| grant.access.clone()).collect()
    }
}

type Shared = Arc<(Mutex<TokenState>, Condvar)>;

/// The server; dropping it stops it, and ends every request still waiting.
pub struct TokenServer {
    /// `http://127.0.0.1:PORT`, the instance's base URL.
    pub base_url: String,
    authority: String,
    shared: Shared,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl TokenServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let authority = listener.local_addr().expect("address").to_string();
        let shared: Shared = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (shared, stop) = (Arc::clone(&shared), Arc::clone(&stop));
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let shared = Arc::clone(&shared);
                        thread::spawn(move || serve(stream, &shared));
                    }
                }
            })
        };
        TokenServer {
            base_url: format!("http://{authority}"),
            authority,
            shared,
            stop,
            thread: Some(thread),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, TokenState> {
        self.shared.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets what the next refresh requests meet.
    pub fn set_refresh(&self, refresh: Refresh) {
        self.state().refresh = refresh;
    }

    /// Answers the held requests, closes the swallowed ones, and answers later ones at once.
    pub fn release(&self) {
        let mut state = self.state();
        state.refresh = Refresh::Answer;
        state.releases += 1;
        self.shared.1.notify_all();
    }

    /// What the person's browser brings back from the authorization URL, as if they signed in
    /// and approved: the redirect URI with a fresh code and the state.
    pub fn approve(&self, authorization_url: &str) -> String {
        let query = authorization_url.split_once('?').map_or("", |(_, query)| query);
        let param = |name: &str| form_value(query, name).unwrap_or_default();
        assert_eq!(param("client_id"), CLIENT_ID, "{authorization_url}");
        let mut state = self.state();
        let code = format!("code-{}", state.codes.len() + state.grants.len());
        state.codes.push(code.clone());
        format!("{}?code={code}&state={}", param("redirect_uri"), param("state"))
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.state().stopped = true;
        self.shared.1.notify_all();
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.authority.as_str());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Unix seconds as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), which GitLab sends with its
/// `created_at` so that a client can move token times to its own clock.
fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let iso = super::fake_gitlab::iso(unix); // 2023-11-14T22:13:20.000Z
    let field = |range: std::ops::Range<usize>| iso[range].parse::<usize>().unwrap_or(0);
    let weekday = DAYS[unix.div_euclid(86_400).rem_euclid(7) as usize];
    format!(
        "{weekday}, {:02} {} {} {} GMT",
        field(8..10),
        MONTHS[field(5..7).saturating_sub(1) % 12],
        &iso[0..4],
        &iso[11..19]
    )
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        index += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of `name` in a form-encoded `text`.
fn form_value(text: &str, name: &str) -> Option<String> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| percent_decode(key) == name)
        .map(|(_, value)| percent_decode(value))
}

fn bearer(request: &Received) -> Option<&str> {
    let (_, value) =
        request.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("authorization"))?;
    value.strip_prefix("Bearer ")
}

/// Status, extra headers, body; `None`: close the connection unanswered.
type Answer = Option<(u16, Vec<(String, String)>, Value)>;

fn answer(status: u16, body: Value) -> Answer {
    Some((status, Vec::new(), body))
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let Some(request) = read(&mut stream) else { return };
    let Some((status, headers, body)) = handle(&request, shared) else { return };
    let body = body.to_string();
    let mut head = format!(
        "HTTP/1.1 {status} Test\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn handle(request: &Received, shared: &Shared) -> Answer {
    let (lock, changed) = &**shared;
    let mut state = lock.lock().unwrap_or_else(PoisonError::into_inner);
    let form = String::from_utf8_lossy(&request.body).into_owned();
    let field = |name: &str| form_value(&form, name).unwrap_or_default();
    let path = request.target.split('?').next().unwrap_or_default();
    match (request.method.as_str(), path) {
        ("POST", "/oauth/token" | "/oauth/revoke")
            if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET =>
        {
            answer(401, json!({"error": "invalid_client"}))
        }
        ("POST", "/oauth/token") if field("grant_type") == "authorization_code" => {
            match state.codes.iter().position(|code| *code == field("code")) {
                Some(index) => {
                    state.codes.remove(index);
                    let tokens = state.issue();
                    Some((200, vec![("Date".into(), http_date(unix_now()))], tokens))
                }
                None => answer(400, json!({"error": "invalid_grant"})),
            }
        }
        ("POST", "/oauth/token") if field("grant_type") == "refresh_token" => {
            state.refresh_requests += 1;
            changed.notify_all();
            let mode = state.refresh;
            let release = state.releases;
            if mode == Refresh::Swallow {
                state.waiting += 1;
                changed.notify_all();
                while state.releases == release && !state.stopped {
                    state = changed.wait(state).unwrap_or_else(PoisonError::into_inner);
                }
                state.waiting -= 1;
                return None;
            }
            let given = field("refresh_token");
            let tokens = match state.grants.iter_mut().find(|g| g.live && g.refresh == given) {
                Some(grant) => {
                    grant.live = false;
                    state.issue()
                }
                None => {
                    state.invalid_grants += 1;
                    return answer(
                        400,
                        json!({"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."}),
                    );
                }
            };
            if mode == Refresh::Hold {
                state.waiting += 1;
                changed.notify_all();
                while state.releases == release && !state.stopped {
                    state = changed.wait(state).unwrap_or_else(PoisonError::into_inner);
                }
                state.waiting -= 1;
            }
            Some((200, vec![("Date".into(), http_date(unix_now()))], tokens))
        }
        ("POST", "/oauth/revoke") => {
            let token = field("token");
            for grant in &mut state.grants {
                if grant.access == token || grant.refresh == token {
                    grant.live = false;
                }
            }
            state.revoked.push(token);
            changed.notify_all();
            answer(200, json!({}))
        }
        ("GET", "/api/v4/user") if bearer(request).is_some_and(|t| state.live_access(t)) => answer(
            200,
            json!({"id": 42, "username": "ada", "name": "Ada Lovelace", "web_url": "http://gitlab.test/ada"}),
        ),
        ("GET", "/api/v4/version") if bearer(request).is_some_and(|t| state.live_access(t)) => {
            answer(200, json!({"version": "17.5.1-ee", "revision": "abc"}))
        }
        ("GET", _) => answer(401, json!({"message": "401 Unauthorized"})),
        _ => answer(404, json!({"error": "not_found"})),
    }
}
