//! A small GitLab served over HTTP on 127.0.0.1, as far as token connections, webhook
//! registration, polling and feedback see it: one project `group/app` with pipelines, jobs,
//! merge request 5 and commit notes, and a rate limit the test sets.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use serde_json::{json, Value};

/// The personal access token the fake accepts.
pub const TOKEN: &str = "glpat-personal-token-value";

/// A pipeline: id, GitLab status, commit, last update (Unix seconds). It was created two
/// minutes before its last update.
#[derive(Clone, Debug)]
pub struct FakePipeline {
    pub id: u64,
    pub status: &'static str,
    pub sha: &'static str,
    pub updated_at: i64,
}

/// What the fake holds; tests change it between calls.
#[derive(Default)]
pub struct GitLabState {
    pub pipelines: Vec<FakePipeline>,
    /// Jobs: pipeline id, job id, name, status.
    pub jobs: Vec<(u64, u64, &'static str, &'static str)>,
    /// The secret token of the hook registered on `group/app`.
    pub hook_token: Option<String>,
    /// The URL that hook delivers to: where a test sends its deliveries.
    pub hook_url: Option<String>,
    /// Notes on merge request 5: id, body.
    pub mr_notes: Vec<(u64, String)>,
    /// Notes on commits, each in a discussion of its own: id, body.
    pub commit_notes: Vec<(u64, String)>,
    pub next_id: u64,
    /// Whether merge request 5's discussion is locked.
    pub locked: bool,
    /// Calls left in the rate-limit window; none: no limit.
    pub remaining: Option<u64>,
    /// When the window resets, in Unix seconds.
    pub reset_at: i64,
    /// The fake's idea of now, for `Retry-After`.
    pub now: i64,
    pub api_calls: u32,
    pub calls_over_limit: u32,
}

/// The server; dropping it stops it.
pub struct FakeGitLab {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// `127.0.0.1:PORT`, as state keys spell the host.
    pub authority: String,
    state: Arc<Mutex<GitLabState>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitLab {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(GitLabState::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let base_url = format!("http://{address}");
        let thread = {
            let (state, stop, base_url) = (Arc::clone(&state), Arc::clone(&stop), base_url.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &state, &base_url);
                    }
                }
            })
        };
        FakeGitLab { base_url, authority: address.to_string(), state, stop, thread: Some(thread) }
    }

    pub fn state(&self) -> MutexGuard<'_, GitLabState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for FakeGitLab {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.authority.as_str());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One HTTP/1.1 request as it arrived.
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Reads one request from `stream`; `None` when it is not one.
pub fn read(stream: &mut TcpStream) -> Option<Received> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut data = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
            let headers: Vec<(String, String)> = lines
                .filter_map(|line| line.split_once(':'))
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                let body = data[end + 4..end + 4 + length].to_vec();
                return Some(Received { method, target, headers, body });
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buffer[..n]),
        }
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<GitLabState>, base_url: &str) {
    let Some(request) = read(&mut stream) else { return };
    let (status, headers, body) = {
        let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
        state.handle(&request, base_url)
    };
    let mut head = format!(
        "HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

/// Unix seconds as GitLab writes them: `2023-11-14T22:13:20.000Z`.
/// When a fake pipeline finished, if it did: at its last update.
pub fn finished_at(pipeline: &FakePipeline) -> Option<i64> {
    matches!(pipeline.status, "success" | "failed" | "canceled" | "skipped")
        .then_some(pipeline.updated_at)
}

/// A time as a Pipeline Hook writes it: `2016-08-12 15:26:29 UTC` ("Webhook events",
/// docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events).
pub fn hook_time(unix: i64) -> String {
    format!("{} UTC", iso(unix)[..19].replace('T', " "))
}

pub fn iso(unix: i64) -> String {
    let (days, seconds) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    // Days to a civil date, after H. Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// `2023-11-14T22:13:20Z` (what forgelink sends as `updated_after`) as Unix seconds.
pub fn parse_iso(text: &str) -> Option<i64> {
    let field = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (field(0..4)?, field(5..7)?, field(8..10)?);
    // A civil date to days, after H. Hinnant's `days_from_civil`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + field(11..13)? * 3600 + field(14..16)? * 60 + field(17..19)?)
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

fn answer(status: u16, body: Value) -> Answer {
    (status, Vec::new(), body.to_string().into_bytes())
}

fn note(id: u64, body: &str) -> Value {
    json!({"id": id, "body": body, "author": {"id": 42, "username": "ada"}, "system": false})
}

impl GitLabState {
    fn handle(&mut self, request: &Received, base_url: &str) -> Answer {
        let authorized = request.headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("authorization") && *v == format!("Bearer {TOKEN}")
        });
        if !authorized {
            return answer(401, json!({"message": "401 Unauthorized"}));
        }
        let Some(rest) = request.target.strip_prefix("/api/v4") else {
            return answer(404, json!({"message": "404 Not Found"}));
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let query: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (n.to_owned(), v.replace("%3A", ":")))
            .collect();
        let param = |name: &str| query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        self.api_calls += 1;
        if let Some(remaining) = self.remaining {
            if remaining == 0 {
                self.calls_over_limit += 1;
                let (status, mut headers, body) = answer(429, json!({"message": "Retry later"}));
                headers.push(("Retry-After".into(), (self.reset_at - self.now).to_string()));
                return (status, headers, body);
            }
            self.remaining = Some(remaining - 1);
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let (status, mut headers, body) =
            self.route(&request.method, path, &param, &body, base_url);
        if let Some(remaining) = self.remaining {
            headers.push(("RateLimit-Limit".into(), "10".into()));
            headers.push(("RateLimit-Remaining".into(), remaining.to_string()));
            headers.push(("RateLimit-Reset".into(), self.reset_at.to_string()));
        }
        (status, headers, body)
    }

    fn route(
        &mut self,
        method: &str,
        path: &str,
        param: &dyn Fn(&str) -> Option<String>,
        body: &Value,
        base_url: &str,
    ) -> Answer {
        const APP: &str = "/projects/group%2Fapp";
        let web = format!("{base_url}/group/app");
        let text = |field: &str| body[field].as_str().unwrap_or_default().to_owned();
        match (method, path) {
            ("GET", "/user") => answer(
                200,
                json!({"id": 42, "username": "ada", "name": "Ada Lovelace", "web_url": format!("{base_url}/ada")}),
            ),
            ("GET", "/version") => answer(200, json!({"version": "17.5.1-ee", "revision": "abc"})),
            ("GET", "/personal_access_tokens/self") => answer(
                200,
                json!({"id": 7, "name": "ci", "scopes": ["api"], "active": true, "revoked": false, "expires_at": null}),
            ),
            ("GET", p) if p == format!("{APP}/hooks") => match &self.hook_url {
                Some(url) => answer(
                    200,
                    json!([{"id": 1, "url": url, "pipeline_events": true, "job_events": true}]),
                ),
                None => answer(200, json!([])),
            },
            ("POST", p) if p == format!("{APP}/hooks") => {
                self.hook_token = Some(text("token"));
                self.hook_url = Some(text("url"));
                answer(201, json!({"id": 1, "url": body["url"], "pipeline_events": true}))
            }
            ("PUT", p) if p == format!("{APP}/hooks/1") => {
                self.hook_token = Some(text("token"));
                self.hook_url = Some(text("url"));
                answer(200, json!({"id": 1, "url": body["url"], "pipeline_events": true}))
            }
            ("DELETE", p) if p == format!("{APP}/hooks/1") => {
                self.hook_token = None;
                self.hook_url = None;
                (204, Vec::new(), Vec::new())
            }
            ("GET", p) if p == format!("{APP}/pipelines") => {
                let after = param("updated_after").and_then(|t| parse_iso(&t)).unwrap_or(0);
                let list: Vec<Value> = self
                    .pipelines
                    .iter()
                    .rev()
                    .filter(|p| p.updated_at >= after)
                    .map(|p| json!({"id": p.id, "iid": p.id, "project_id": 1, "status": p.status, "ref": "main", "sha": p.sha, "web_url": format!("{web}/-/pipelines/{}", p.id), "created_at": iso(p.updated_at - 120), "updated_at": iso(p.updated_at)}))
                    .collect();
                answer(200, Value::Array(list))
            }
            // "Get a single pipeline": the list's fields and `finished_at`, which the fake
            // takes to be the last update of a finished pipeline.
            ("GET", p) if p.starts_with(&format!("{APP}/pipelines/")) && !p.ends_with("/jobs") => {
                let id: u64 = p.rsplit('/').next().and_then(|id| id.parse().ok()).unwrap_or(0);
                match self.pipelines.iter().find(|p| p.id == id) {
                    Some(p) => answer(
                        200,
                        json!({"id": p.id, "iid": p.id, "project_id": 1, "status": p.status, "ref": "main", "sha": p.sha, "web_url": format!("{web}/-/pipelines/{}", p.id), "created_at": iso(p.updated_at - 120), "updated_at": iso(p.updated_at), "finished_at": finished_at(p).map(iso)}),
                    ),
                    None => answer(404, json!({"message": "404 Not found"})),
                }
            }
            ("GET", p) if p.starts_with(&format!("{APP}/pipelines/")) && p.ends_with("/jobs") => {
                let id: u64 = p.split('/').nth(4).and_then(|id| id.parse().ok()).unwrap_or(0);
                let list: Vec<Value> = self
                    .jobs
                    .iter()
                    .filter(|j| j.0 == id)
                    .map(|j| json!({"id": j.1, "name": j.2, "stage": "test", "status": j.3, "failure_reason": "script_failure", "ref": "main", "web_url": format!("{web}/-/jobs/{}", j.1), "pipeline": {"id": id, "project_id": 1, "status": "failed"}}))
                    .collect();
                answer(200, Value::Array(list))
            }
            ("GET", p) if p == format!("{APP}/merge_requests") || p == format!("{APP}/events") => {
                answer(200, json!([]))
            }
            ("GET", p) if p == format!("{APP}/merge_requests/5/notes") => {
                answer(200, Value::Array(self.mr_notes.iter().map(|n| note(n.0, &n.1)).collect()))
            }
            ("POST", p) if p == format!("{APP}/merge_requests/5/notes") => {
                if self.locked {
                    return answer(403, json!({"message": "403 Forbidden - Discussion is locked"}));
                }
                self.next_id += 1;
                self.mr_notes.push((self.next_id, text("body")));
                answer(201, note(self.next_id, &text("body")))
            }
            ("PUT", p) if p.starts_with(&format!("{APP}/merge_requests/5/notes/")) => {
                let id: u64 = p.rsplit('/').next().and_then(|id| id.parse().ok()).unwrap_or(0);
                match self.mr_notes.iter_mut().find(|n| n.0 == id) {
                    Some(existing) => {
                        existing.1 = text("body");
                        answer(200, note(id, &existing.1))
                    }
                    None => answer(404, json!({"message": "404 Note Not Found"})),
                }
            }
            ("GET", p)
                if p.starts_with(&format!("{APP}/repository/commits/"))
                    && p.ends_with("/discussions") =>
            {
                let list: Vec<Value> = self
                    .commit_notes
                    .iter()
                    .map(|n| json!({"id": format!("d{}", n.0), "individual_note": true, "notes": [note(n.0, &n.1)]}))
                    .collect();
                answer(200, Value::Array(list))
            }
            ("POST", p)
                if p.starts_with(&format!("{APP}/repository/commits/"))
                    && p.ends_with("/discussions") =>
            {
                self.next_id += 1;
                self.commit_notes.push((self.next_id, text("body")));
                answer(
                    201,
                    json!({"id": format!("d{}", self.next_id), "individual_note": true, "notes": [note(self.next_id, &text("body"))]}),
                )
            }
            ("PUT", p)
                if p.starts_with(&format!("{APP}/repository/commits/"))
                    && p.contains("/discussions/") =>
            {
                let id: u64 = p.rsplit('/').next().and_then(|id| id.parse().ok()).unwrap_or(0);
                match self.commit_notes.iter_mut().find(|n| n.0 == id) {
                    Some(existing) => {
                        existing.1 = text("body");
                        answer(200, note(id, &existing.1))
                    }
                    None => answer(404, json!({"message": "404 Note Not Found"})),
                }
            }
            _ => answer(404, json!({"message": "404 Not Found"})),
        }
    }
}
