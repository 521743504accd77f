//! Hybrid mode and feedback. Polling: each provider's documented list responses read into
//! events (fixture in, golden out), and the polling flow against an in-memory GitLab that
//! loses deliveries on purpose, shares its dedupe store with webhook reception, and enforces a
//! rate limit. Feedback: comments land on the merge request, else the commit, else an issue,
//! and are updated in place.
//!
//! `FORGELINK_UPDATE_GOLDEN=1 cargo test --test polling` rewrites the golden file; review the
//! diff before committing it.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use forgelink::{
    endpoints, parse_poll_response, Code, ConnectWithToken, EncryptionKey, EventKind, FetchError,
    Flows, Host, HttpRequest, HttpResponse, PollOptions, PollResource, PollStatus, Provider,
    RandomError, ReceiptStatus, ReceiveOptions, SyncMode,
};
use futures::executor::block_on;
use serde_json::{json, Value};

fn root(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Compares with the golden file, or writes it when asked to.
fn golden(name: &str, actual: &Value) {
    let path = root(&format!("tests/fixtures/polling/{name}"));
    if std::env::var_os("FORGELINK_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, serde_json::to_string_pretty(actual).unwrap() + "\n").unwrap();
        return;
    }
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let (expected, actual) = (expected.as_array().unwrap(), actual.as_array().unwrap());
    for (e, a) in expected.iter().zip(actual) {
        assert_eq!(e, a, "first difference from {name}");
    }
    assert_eq!(expected.len(), actual.len(), "{name}: number of cases");
}

#[test]
fn documented_list_responses_read_into_events() {
    let text = std::fs::read_to_string(root("tests/fixtures/polling/responses.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut outputs = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let provider: Provider = case["provider"].as_str().unwrap().parse().unwrap();
        let endpoints = endpoints(provider, case["baseUrl"].as_str()).unwrap();
        let project = case["project"].as_str().unwrap();
        let resource: PollResource = serde_json::from_value(case["resource"].clone()).unwrap();
        let since = case["since"].as_i64().unwrap();
        let request = forgelink::prepare_poll_request(&endpoints, "t", project, &resource, since)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let r = &case["response"];
        let response = HttpResponse {
            status: r["status"].as_u64().unwrap() as u16,
            headers: serde_json::from_value(r["headers"].clone()).unwrap(),
            body: r["body"].to_string().into_bytes(),
        };
        let output = match parse_poll_response(
            &endpoints,
            project,
            &resource,
            &request.url,
            &response,
            since,
            since + 60,
        ) {
            Ok(page) => {
                for event in &page.events {
                    assert_eq!(event.provider, provider, "{name}");
                    assert!(event.state_key.is_some(), "{name}");
                    assert_eq!(Some(&event.dedupe_key), event.state_key.as_ref(), "{name}");
                }
                json!({ "name": name, "request": request.url, "page": page })
            }
            Err(error) => {
                let reading = forgelink::read_rate_limit(&response, since + 60);
                json!({
                    "name": name,
                    "request": request.url,
                    "code": error.code,
                    "blockedUntil": reading.blocked_until(since + 60, response.status),
                })
            }
        };
        outputs.push(output);
    }
    golden("responses.golden.json", &Value::Array(outputs));
}

/// A pipeline as the fake keeps it: id, status, sha, updated at (unix seconds).
#[derive(Clone)]
struct FakePipeline {
    id: u64,
    status: &'static str,
    sha: &'static str,
    updated_at: i64,
}

/// A note or comment: id, body.
type FakeNote = (u64, String);

/// A GitLab at `https://git.example.com`, as far as polling and feedback see it.
#[derive(Default)]
struct FakeGitLab {
    pipelines: Vec<FakePipeline>,
    /// Failed jobs per pipeline id: (job id, name).
    jobs: Vec<(u64, u64, &'static str, &'static str)>,
    hook_token: Option<String>,
    /// Where the registered hook delivers.
    hook_url: Option<String>,
    /// Calls left in the rate-limit window; `None`: no limit.
    remaining: Option<u64>,
    reset_at: i64,
    api_calls: u32,
    calls_over_limit: u32,
    mr_notes: Vec<FakeNote>,
    commit_notes: Vec<FakeNote>,
    issues: Vec<(u64, String, String)>,
    next_id: u64,
    /// Merge request iids whose discussion is locked.
    locked: Vec<u64>,
}

fn respond(status: u16, body: Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn iso(unix: i64) -> String {
    // The fixed test clock sits in November 2023: days since 2023-11-01 are enough here.
    let base = 1_698_796_800; // 2023-11-01T00:00:00Z
    let offset = unix - base;
    let (day, rest) = (offset / 86_400, offset % 86_400);
    format!(
        "2023-11-{:02}T{:02}:{:02}:{:02}.000Z",
        day + 1,
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// When a fake pipeline finished, if it did: at its last update.
fn finished_at(pipeline: &FakePipeline) -> Option<i64> {
    matches!(pipeline.status, "success" | "failed" | "canceled" | "skipped")
        .then_some(pipeline.updated_at)
}

/// A time as a Pipeline Hook writes it: `2016-08-12 15:26:29 UTC` ("Webhook events",
/// docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events).
fn hook_time(unix: i64) -> String {
    format!("{} UTC", iso(unix)[..19].replace('T', " "))
}

fn parse_iso(text: &str) -> i64 {
    let field = |range: std::ops::Range<usize>| text[range].parse::<i64>().unwrap();
    let (y, m, d) = (field(0..4), field(5..7), field(8..10));
    // Days from civil (H. Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    days * 86_400 + field(11..13) * 3600 + field(14..16) * 60 + field(17..19)
}

impl FakeGitLab {
    fn handle(&mut self, request: &HttpRequest, now: i64) -> HttpResponse {
        let Some(rest) = request.url.strip_prefix("https://git.example.com/api/v4") else {
            return respond(404, json!({"message": "404 Not Found"}));
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        let param = |name: &str| query.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        self.api_calls += 1;
        if let Some(remaining) = self.remaining {
            if remaining == 0 {
                self.calls_over_limit += 1;
                let mut response = respond(429, json!({"message": "Retry later"}));
                response.headers.push(("Retry-After".into(), (self.reset_at - now).to_string()));
                return response;
            }
            self.remaining = Some(remaining - 1);
        }
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap_or("null")).unwrap();
        let mut response = self.route(&request.method, path, &param, &body, now);
        if let Some(remaining) = self.remaining {
            response.headers.push(("RateLimit-Limit".into(), "10".into()));
            response.headers.push(("RateLimit-Remaining".into(), remaining.to_string()));
            response.headers.push(("RateLimit-Reset".into(), self.reset_at.to_string()));
        }
        response
    }

    fn route(
        &mut self,
        method: &str,
        path: &str,
        param: &dyn Fn(&str) -> Option<String>,
        body: &Value,
        _now: i64,
    ) -> HttpResponse {
        const APP: &str = "/projects/group%2Fapp";
        let web = "https://git.example.com/group/app";
        match (method, path) {
            ("GET", "/user") => respond(200, json!({"id": 42, "username": "ada", "name": "Ada"})),
            ("GET", "/version") => respond(200, json!({"version": "17.5.1-ee"})),
            ("GET", "/personal_access_tokens/self") => {
                respond(200, json!({"id": 7, "scopes": ["api"], "active": true, "revoked": false}))
            }
            ("GET", p) if p == format!("{APP}/hooks") => respond(200, json!([])),
            ("POST", p) if p == format!("{APP}/hooks") => {
                self.hook_token = body["token"].as_str().map(str::to_owned);
                self.hook_url = body["url"].as_str().map(str::to_owned);
                respond(201, json!({"id": 1, "url": body["url"], "pipeline_events": true}))
            }
            ("GET", p) if p == format!("{APP}/pipelines") => {
                let after = parse_iso(&param("updated_after").unwrap());
                let list: Vec<Value> = self
                    .pipelines
                    .iter()
                    .rev()
                    .filter(|p| p.updated_at >= after)
                    .map(|p| json!({"id": p.id, "iid": p.id, "project_id": 1, "status": p.status, "ref": "main", "sha": p.sha, "web_url": format!("{web}/-/pipelines/{}", p.id), "created_at": iso(p.updated_at - 120), "updated_at": iso(p.updated_at)}))
                    .collect();
                respond(200, Value::Array(list))
            }
            // "Get a single pipeline": the list's fields and `finished_at`, which the fake
            // takes to be the last update of a finished pipeline.
            ("GET", p) if p.starts_with(&format!("{APP}/pipelines/")) && !p.ends_with("/jobs") => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                match self.pipelines.iter().find(|p| p.id == id) {
                    Some(p) => respond(
                        200,
                        json!({"id": p.id, "iid": p.id, "project_id": 1, "status": p.status, "ref": "main", "sha": p.sha, "web_url": format!("{web}/-/pipelines/{}", p.id), "created_at": iso(p.updated_at - 120), "updated_at": iso(p.updated_at), "started_at": iso(p.updated_at - 110), "finished_at": finished_at(p).map(iso), "duration": 100}),
                    ),
                    None => respond(404, json!({"message": "404 Not found"})),
                }
            }
            ("GET", p) if p.starts_with(&format!("{APP}/pipelines/")) && p.ends_with("/jobs") => {
                let id: u64 = p.split('/').nth(4).unwrap().parse().unwrap();
                let list: Vec<Value> = self
                    .jobs
                    .iter()
                    .filter(|j| j.0 == id)
                    .map(|j| json!({"id": j.1, "name": j.2, "stage": "test", "status": j.3, "failure_reason": "script_failure", "ref": "main", "web_url": format!("{web}/-/jobs/{}", j.1), "pipeline": {"id": id, "project_id": 1, "status": "failed"}}))
                    .collect();
                respond(200, Value::Array(list))
            }
            ("GET", p) if p == format!("{APP}/merge_requests") || p == format!("{APP}/events") => {
                respond(200, json!([]))
            }
            ("GET", p) if p == format!("{APP}/merge_requests/5/notes") => {
                respond(200, notes(&self.mr_notes))
            }
            ("POST", p) if p == format!("{APP}/merge_requests/5/notes") => {
                if self.locked.contains(&5) {
                    return respond(
                        403,
                        json!({"message": "403 Forbidden - Discussion is locked"}),
                    );
                }
                self.next_id += 1;
                self.mr_notes.push((self.next_id, body["body"].as_str().unwrap().to_owned()));
                respond(201, note(self.next_id, body["body"].as_str().unwrap()))
            }
            ("PUT", p) if p.starts_with(&format!("{APP}/merge_requests/5/notes/")) => {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let Some(existing) = self.mr_notes.iter_mut().find(|n| n.0 == id) else {
                    return respond(404, json!({"message": "404 Note Not Found"}));
                };
                existing.1 = body["body"].as_str().unwrap().to_owned();
                respond(200, note(id, &existing.1))
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
                respond(200, Value::Array(list))
            }
            ("POST", p)
                if p.starts_with(&format!("{APP}/repository/commits/"))
                    && p.ends_with("/discussions") =>
            {
                self.next_id += 1;
                let text = body["body"].as_str().unwrap().to_owned();
                self.commit_notes.push((self.next_id, text.clone()));
                respond(
                    201,
                    json!({"id": format!("d{}", self.next_id), "individual_note": true, "notes": [note(self.next_id, &text)]}),
                )
            }
            ("PUT", p)
                if p.starts_with(&format!("{APP}/repository/commits/"))
                    && p.contains("/discussions/") =>
            {
                let id: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let existing = self.commit_notes.iter_mut().find(|n| n.0 == id).unwrap();
                existing.1 = body["body"].as_str().unwrap().to_owned();
                respond(200, note(id, &existing.1))
            }
            ("POST", p) if p == format!("{APP}/issues") => {
                self.next_id += 1;
                let (title, description) = (
                    body["title"].as_str().unwrap().to_owned(),
                    body["description"].as_str().unwrap().to_owned(),
                );
                self.issues.push((self.next_id, title, description.clone()));
                respond(
                    201,
                    json!({"id": 9000 + self.next_id, "iid": self.next_id, "description": description, "web_url": format!("{web}/-/issues/{}", self.next_id)}),
                )
            }
            ("PUT", p) if p.starts_with(&format!("{APP}/issues/")) => {
                let iid: u64 = p.rsplit('/').next().unwrap().parse().unwrap();
                let issue = self.issues.iter_mut().find(|i| i.0 == iid).unwrap();
                issue.2 = body["description"].as_str().unwrap().to_owned();
                respond(
                    200,
                    json!({"id": 9000 + iid, "iid": iid, "description": issue.2, "web_url": format!("{web}/-/issues/{iid}")}),
                )
            }
            _ => respond(404, json!({"message": "404 Not Found"})),
        }
    }
}

fn note(id: u64, body: &str) -> Value {
    json!({"id": id, "body": body, "author": {"id": 42, "username": "ada"}, "system": false})
}

fn notes(list: &[FakeNote]) -> Value {
    Value::Array(list.iter().map(|n| note(n.0, &n.1)).collect())
}

/// GitHub.com, as far as polling sees it: one repository `octo/app` with workflow runs.
#[derive(Default)]
struct FakeGitHub {
    /// id, status, conclusion, created at (unix seconds).
    runs: Vec<(u64, &'static str, Option<&'static str>, i64)>,
    /// run id, job id, name, conclusion.
    jobs: Vec<(u64, u64, &'static str, &'static str)>,
    /// Runs re-run: run id → (`run_attempt`, updated at). A re-run keeps the run's id and
    /// creation time.
    reruns: std::collections::BTreeMap<u64, (u64, i64)>,
    hook_secret: Option<String>,
    /// Where the registered hook delivers.
    hook_url: Option<String>,
    /// Answer the next call with a secondary rate limit (403 and Retry-After).
    throttle: bool,
    api_calls: u32,
}

impl FakeGitHub {
    fn handle(&mut self, request: &HttpRequest) -> HttpResponse {
        self.api_calls += 1;
        if std::mem::take(&mut self.throttle) {
            let mut response = respond(
                403,
                json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}),
            );
            response.headers.push(("retry-after".into(), "120".into()));
            return response;
        }
        let path = request.url.strip_prefix("https://api.github.com").unwrap_or("");
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut response = match (request.method.as_str(), path) {
            ("GET", "/user") => {
                let mut r =
                    respond(200, json!({"login": "octocat", "id": 1, "name": "The Octocat"}));
                r.headers.push(("X-OAuth-Scopes".into(), "repo, admin:repo_hook".into()));
                r
            }
            ("GET", "/repos/octo/app/hooks") => respond(200, json!([])),
            ("POST", "/repos/octo/app/hooks") => {
                let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
                self.hook_secret = body["config"]["secret"].as_str().map(str::to_owned);
                self.hook_url = body["config"]["url"].as_str().map(str::to_owned);
                respond(
                    201,
                    json!({"id": 4242, "active": true, "events": body["events"], "config": {"url": body["config"]["url"], "content_type": "json"}}),
                )
            }
            ("GET", "/repos/octo/app/actions/runs") => {
                let created: Vec<(String, String)> =
                    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
                let after = parse_iso(
                    created
                        .iter()
                        .find(|(n, _)| n == "created")
                        .unwrap()
                        .1
                        .trim_start_matches(">="),
                );
                let runs: Vec<Value> = self
                    .runs
                    .iter()
                    .filter(|r| r.3 >= after)
                    .map(|r| {
                        let (attempt, updated) =
                            self.reruns.get(&r.0).copied().unwrap_or((1, r.3 + 60));
                        json!({"id": r.0, "name": "CI", "head_branch": "main", "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "status": r.1, "conclusion": r.2, "html_url": format!("https://github.com/octo/app/actions/runs/{}", r.0), "created_at": iso(r.3), "updated_at": iso(updated), "run_attempt": attempt, "actor": {"login": "octocat", "id": 1}})
                    })
                    .collect();
                respond(200, json!({"total_count": runs.len(), "workflow_runs": runs}))
            }
            ("GET", p)
                if p.starts_with("/repos/octo/app/actions/runs/") && p.ends_with("/jobs") =>
            {
                let run: u64 = p.split('/').nth(6).unwrap().parse().unwrap();
                let jobs: Vec<Value> = self
                    .jobs
                    .iter()
                    .filter(|j| j.0 == run)
                    .map(|j| json!({"id": j.1, "run_id": j.0, "name": j.2, "workflow_name": "CI", "status": "completed", "conclusion": j.3, "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "head_branch": "main", "html_url": format!("https://github.com/octo/app/actions/runs/{}/job/{}", j.0, j.1)}))
                    .collect();
                respond(200, json!({"total_count": jobs.len(), "jobs": jobs}))
            }
            ("GET", "/repos/octo/app/pulls") | ("GET", "/repos/octo/app/activity") => {
                respond(200, json!([]))
            }
            _ => respond(404, json!({"message": "Not Found"})),
        };
        response.headers.push(("x-ratelimit-limit".into(), "5000".into()));
        response.headers.push(("x-ratelimit-remaining".into(), "4000".into()));
        response.headers.push(("x-ratelimit-reset".into(), "1700003600".into()));
        response
    }
}

#[derive(Clone)]
struct MemoryHost {
    storage: support::Store,
    github: Rc<RefCell<FakeGitHub>>,
    gitlab: Rc<RefCell<FakeGitLab>>,
    clock: Rc<Cell<i64>>,
    random: support::Random,
}

impl MemoryHost {
    fn new() -> Self {
        MemoryHost {
            storage: support::Store::default(),
            github: Rc::default(),
            gitlab: Rc::default(),
            clock: Rc::new(Cell::new(1_700_000_000)),
            random: support::Random::default(),
        }
    }
}

impl Host for MemoryHost {
    async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, FetchError> {
        support::yield_now().await;
        if request.url.starts_with("https://api.github.com/") {
            return Ok(self.github.borrow_mut().handle(&request));
        }
        Ok(self.gitlab.borrow_mut().handle(&request, self.clock.get()))
    }
    support::storage_methods!();
    fn now(&self) -> i64 {
        self.clock.get()
    }
    fn fill_random(&self, buffer: &mut [u8]) -> Result<(), RandomError> {
        self.random.fill(buffer);
        Ok(())
    }
    async fn sleep(&self, _millis: u32) {
        support::yield_now().await;
    }
}

fn flows(host: &MemoryHost) -> Flows<MemoryHost> {
    Flows::new(host.clone(), EncryptionKey::new(&[7; 32]).unwrap())
}

/// A connection with a personal access token and a registered hook on `group/app`.
fn connected(host: &MemoryHost) -> String {
    let flows = flows(host);
    let input: ConnectWithToken = serde_json::from_value(json!({
        "provider": "gitlab", "baseUrl": "https://git.example.com", "token": "glpat-personal-token-value",
    }))
    .unwrap();
    let connection = block_on(flows.connect_with_token(input)).unwrap();
    let register = serde_json::from_value(json!({
        "projects": ["group/app"], "url": "https://app.example/hooks", "profile": "ci-failure-analysis",
    }))
    .unwrap();
    block_on(flows.register_webhooks(&connection.id, register)).unwrap();
    connection.id
}

/// The Pipeline Hook GitLab sends for `pipeline` in `status`, finished at `finished`.
fn pipeline_delivery(
    host: &MemoryHost,
    uuid: &str,
    id: u64,
    status: &str,
    finished: Option<i64>,
) -> (Vec<(String, String)>, Vec<u8>) {
    let token = host.gitlab.borrow().hook_token.clone().unwrap();
    let headers = vec![
        ("X-Gitlab-Event".to_owned(), "Pipeline Hook".to_owned()),
        ("X-Gitlab-Token".to_owned(), token),
        ("X-Gitlab-Event-UUID".to_owned(), uuid.to_owned()),
    ];
    let body = json!({
        "object_kind": "pipeline",
        "object_attributes": { "id": id, "ref": "main", "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2", "status": status, "created_at": "2023-11-14 22:00:00 UTC", "finished_at": finished.map(hook_time) },
        "user": { "id": 42, "username": "ada", "name": "Ada" },
        "project": { "id": 1, "path_with_namespace": "group/app", "web_url": "https://git.example.com/group/app", "default_branch": "main" }
    });
    (headers, body.to_string().into_bytes())
}

fn poll(projects: &[&str]) -> PollOptions {
    PollOptions {
        projects: projects.iter().map(|p| (*p).to_owned()).collect(),
        ..PollOptions::default()
    }
}

#[test]
fn a_dropped_delivery_is_found_by_the_next_poll_and_a_late_one_is_a_duplicate() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let now = host.clock.get();
    {
        let mut gitlab = host.gitlab.borrow_mut();
        gitlab.pipelines.push(FakePipeline {
            id: 100,
            status: "running",
            sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            updated_at: now - 600,
        });
    }
    // The running state arrives by webhook; the first poll (30 days back) finds nothing new.
    let (headers, body) = pipeline_delivery(&host, "uuid-1", 100, "running", None);
    let route = host.gitlab.borrow().hook_url.clone().unwrap();
    let receipt =
        support::receive_and_handle(&flows, &route, &headers, &body, ReceiveOptions::default());
    assert_eq!(receipt.status, ReceiptStatus::Accepted);
    let first = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert_eq!(first.status, PollStatus::Complete);
    assert!(first.events.is_empty(), "{:#?}", first.events);
    assert_eq!(first.duplicates, 1);
    assert_eq!(first.next_poll_at, Some(now + 60), "hybrid mode polls every minute");
    assert_eq!(first.projects[0].since, now - 30 * 86_400);

    // The pipeline fails and GitLab drops the delivery: the next poll reports it, with its jobs.
    host.clock.set(now + 120);
    {
        let mut gitlab = host.gitlab.borrow_mut();
        gitlab.pipelines[0].status = "failed";
        gitlab.pipelines[0].updated_at = now + 100;
        gitlab.jobs.push((100, 555, "rspec", "failed"));
        gitlab.jobs.push((100, 556, "lint", "success"));
    }
    let second = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    // A finished pipeline's key names the second it finished (see the retry test below).
    let finished_100 =
        format!("gitlab:git.example.com:group/app:pipeline:100@{}:failure", now + 100);
    let found: Vec<(EventKind, Option<&str>)> =
        second.events.iter().map(|e| (e.kind, e.state_key.as_deref())).collect();
    assert_eq!(
        found,
        [
            (EventKind::Pipeline, Some(finished_100.as_str())),
            (EventKind::Job, Some("gitlab:git.example.com:group/app:job:555:failure")),
            (EventKind::Job, Some("gitlab:git.example.com:group/app:job:556:success")),
        ]
    );
    let job = second.events[1].job.as_ref().unwrap();
    assert_eq!(
        (job.failure_reason.as_deref(), job.pipeline_id.as_deref()),
        (Some("script_failure"), Some("100"))
    );
    assert_eq!(
        second.projects[0].since,
        now - 720,
        "the cursor waited for the pipeline that was running (created at now - 720)"
    );

    // The delivery GitLab retries late says the same: a duplicate.
    let (headers, body) = pipeline_delivery(&host, "uuid-2", 100, "failed", Some(now + 100));
    let late =
        support::receive_and_handle(&flows, &route, &headers, &body, ReceiveOptions::default());
    assert_eq!(late.status, ReceiptStatus::Duplicate);
    assert_eq!(late.event.unwrap().state_key.as_deref(), Some(finished_100.as_str()));
    // Polling again reports nothing twice.
    let third = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert!(third.events.is_empty());

    // The returned cursor starts a poll from there; a given `since` overrides it.
    let mut again = poll(&["group/app"]);
    again.cursor = Some(second.cursor.clone());
    let replay = block_on(flows.poll_events(&id, again)).unwrap();
    assert_eq!(replay.projects[0].since, now + 120 - 300, "five minutes of overlap");
    let mut bad = poll(&["group/app"]);
    bad.cursor = Some("not a cursor".into());
    assert_eq!(block_on(flows.poll_events(&id, bad)).unwrap_err().code, Code::InputInvalid);
}

/// A retried GitLab pipeline keeps its id ("Pipelines API", "Retry jobs in a pipeline",
/// docs.gitlab.com/api/pipelines/): each attempt that finishes is told apart by its
/// `finished_at`, which the Pipeline Hook sends to the second ("2016-08-12 15:26:29 UTC",
/// docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events) and "Get a single
/// pipeline" to the millisecond; "List project pipelines" leaves it out. So a retry that fails
/// again is news, whoever reports it first, and a delivery and a poll of one attempt are one.
#[test]
fn a_retried_gitlab_pipeline_that_fails_again_is_news() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let now = host.clock.get();
    let route = host.gitlab.borrow().hook_url.clone().unwrap();
    let deliver = |uuid: &str, finished: i64| {
        let (headers, body) = pipeline_delivery(&host, uuid, 300, "failed", Some(finished));
        support::receive_and_handle(&flows, &route, &headers, &body, ReceiveOptions::default())
    };
    host.gitlab.borrow_mut().pipelines.push(FakePipeline {
        id: 300,
        status: "failed",
        sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        updated_at: now - 600,
    });
    // The first failure arrives by webhook; the poll finds it a duplicate.
    let first = deliver("uuid-1", now - 600);
    assert_eq!(first.status, ReceiptStatus::Accepted);
    let key =
        |finished: i64| format!("gitlab:git.example.com:group/app:pipeline:300@{finished}:failure");
    assert_eq!(first.event.unwrap().state_key, Some(key(now - 600)));
    let polled = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert!(polled.events.is_empty(), "{:#?}", polled.events);
    assert_eq!(polled.duplicates, 1);

    // Retried under the same id, it fails again; that delivery is lost, the poll finds it.
    host.clock.set(now + 600);
    host.gitlab.borrow_mut().pipelines[0].updated_at = now + 500;
    let polled = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    let found: Vec<Option<String>> = polled.events.iter().map(|e| e.state_key.clone()).collect();
    assert_eq!(found, [Some(key(now + 500))]);
    assert_eq!(polled.events[0].pipeline.as_ref().unwrap().id.as_deref(), Some("300"));
    // Its delivery, arriving late, is a duplicate, and so is the first attempt's, redelivered.
    assert_eq!(deliver("uuid-2", now + 500).status, ReceiptStatus::Duplicate);
    assert_eq!(deliver("uuid-1-again", now - 600).status, ReceiptStatus::Duplicate);
    // Polling again: the pipeline, in the version already read, is not read again.
    let calls = host.gitlab.borrow().api_calls;
    let again = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert!(again.events.is_empty());
    assert_eq!(again.duplicates, 1, "it was reported before");
    assert_eq!(host.gitlab.borrow().api_calls - calls, 3, "the three lists, nothing more");

    // A third attempt fails: its delivery comes first, and the poll takes it for the same.
    host.clock.set(now + 1200);
    host.gitlab.borrow_mut().pipelines[0].updated_at = now + 1100;
    assert_eq!(deliver("uuid-3", now + 1100).status, ReceiptStatus::Accepted);
    let polled = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert!(polled.events.is_empty(), "{:#?}", polled.events);
    assert_eq!(polled.duplicates, 1);
}

#[test]
fn webhook_mode_polls_nothing_and_modes_are_stored() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let calls = host.gitlab.borrow().api_calls;
    let mut options = poll(&["group/app"]);
    options.mode = Some(SyncMode::Webhook);
    let result = block_on(flows.poll_events(&id, options)).unwrap();
    assert_eq!(
        (result.status, result.mode, result.next_poll_at),
        (PollStatus::Disabled, SyncMode::Webhook, None)
    );
    let result = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert_eq!(result.status, PollStatus::Disabled, "the mode is remembered");
    assert_eq!(host.gitlab.borrow().api_calls, calls);
    let mut options = poll(&["group/app"]);
    options.mode = Some(SyncMode::Polling);
    options.interval_seconds = Some(300);
    let result = block_on(flows.poll_events(&id, options)).unwrap();
    assert_eq!(
        (result.status, result.next_poll_at),
        (PollStatus::Complete, Some(host.clock.get() + 300))
    );
}

#[test]
fn rate_limit_headers_stop_the_poll_and_set_the_next_poll() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let now = host.clock.get();
    {
        let mut gitlab = host.gitlab.borrow_mut();
        for n in 0..3 {
            gitlab.pipelines.push(FakePipeline {
                id: 200 + n,
                status: "failed",
                sha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
                updated_at: now - 60,
            });
        }
        gitlab.jobs.push((200, 700, "rspec", "failed"));
        // Three lists, and each finished pipeline on its own.
        gitlab.remaining = Some(6);
        gitlab.reset_at = now + 900;
    }
    let projects = ["group/app", "group/other"];
    let result = block_on(flows.poll_events(&id, poll(&projects))).unwrap();
    assert_eq!(result.status, PollStatus::Incomplete);
    assert_eq!(result.next_poll_at, Some(now + 900), "not before the window resets");
    assert_eq!(result.rate_limit.unwrap().remaining, Some(0));
    assert_eq!(host.gitlab.borrow().calls_over_limit, 0, "never past what the headers allow");
    let kinds: Vec<EventKind> = result.events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Pipeline; 3], "the pipelines were read, their jobs not yet");
    assert!(result.projects.iter().all(|p| !p.complete));
    assert_eq!(result.projects[1].code, Some(Code::HttpRateLimited));

    // Called again before the reset: nothing is sent.
    let calls = host.gitlab.borrow().api_calls;
    host.clock.set(now + 100);
    let early = block_on(flows.poll_events(&id, poll(&projects))).unwrap();
    assert_eq!(host.gitlab.borrow().api_calls, calls);
    assert_eq!((early.status, early.next_poll_at), (PollStatus::Incomplete, Some(now + 900)));

    // After the reset the poll goes on where it stopped; what was reported is not repeated.
    host.clock.set(now + 901);
    {
        let mut gitlab = host.gitlab.borrow_mut();
        gitlab.remaining = Some(100);
        gitlab.reset_at = now + 4500;
    }
    let later = block_on(flows.poll_events(&id, poll(&["group/app"]))).unwrap();
    assert_eq!(later.status, PollStatus::Complete);
    assert_eq!(later.duplicates, 3);
    let found: Vec<Option<&str>> = later.events.iter().map(|e| e.state_key.as_deref()).collect();
    assert_eq!(found, [Some("gitlab:git.example.com:group/app:job:700:failure")]);
    assert_eq!(later.next_poll_at, Some(now + 901 + 60));
}

#[test]
fn github_runs_and_jobs_are_polled_and_a_late_job_delivery_is_a_duplicate() {
    use hmac::Mac as _;
    let host = MemoryHost::new();
    let flows = flows(&host);
    let now = host.clock.get();
    let input: ConnectWithToken = serde_json::from_value(json!({
        "provider": "github", "token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    }))
    .unwrap();
    let id = block_on(flows.connect_with_token(input)).unwrap().id;
    let register = serde_json::from_value(json!({
        "projects": ["octo/app"], "url": "https://app.example/hooks", "profile": "ci-failure-analysis",
    }))
    .unwrap();
    block_on(flows.register_webhooks(&id, register)).unwrap();
    {
        let mut github = host.github.borrow_mut();
        github.runs.push((30433642, "completed", Some("failure"), now - 3600));
        github.runs.push((30433643, "in_progress", None, now - 1800));
        github.jobs.push((30433642, 399444496, "build", "failure"));
    }
    let result = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    let found: Vec<Option<&str>> = result.events.iter().map(|e| e.state_key.as_deref()).collect();
    assert_eq!(
        found,
        [
            Some("github:github.com:octo/app:pipeline:30433642:failure"),
            Some("github:github.com:octo/app:pipeline:30433643:running"),
            Some("github:github.com:octo/app:job:399444496:failure"),
        ]
    );
    assert_eq!(result.rate_limit.unwrap().remaining, Some(4000));
    // The cursor waits for the run still in progress, so its completion is seen.
    let cursor = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    assert_eq!(cursor.projects[0].since, now - 1800);
    assert!(cursor.events.is_empty());

    // GitHub's own delivery of the failed job, arriving late, is a duplicate.
    let secret = host.github.borrow().hook_secret.clone().unwrap();
    let route = host.github.borrow().hook_url.clone().unwrap();
    let body = json!({
        "action": "completed",
        "workflow_job": { "id": 399444496, "run_id": 30433642, "name": "build", "workflow_name": "CI", "status": "completed", "conclusion": "failure", "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "head_branch": "main" },
        "repository": { "id": 1, "full_name": "octo/app", "html_url": "https://github.com/octo/app" },
        "sender": { "login": "octocat", "id": 1 }
    })
    .to_string();
    let deliver = |event: &str, delivery: &str, body: &str| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body.as_bytes());
        let signature: String =
            mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        let headers: Vec<(String, String)> = [
            ("X-GitHub-Event", event.to_owned()),
            ("X-GitHub-Delivery", delivery.to_owned()),
            ("X-GitHub-Hook-ID", "4242".to_owned()),
            ("X-Hub-Signature-256", format!("sha256={signature}")),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_owned(), v))
        .collect();
        support::receive_and_handle(
            &flows,
            &route,
            &headers,
            body.as_bytes(),
            ReceiveOptions::default(),
        )
        .status
    };
    let job = deliver("workflow_job", "72d3162e-cc78-11e3-81ab-4c9367dc0958", &body);
    assert_eq!(job, ReceiptStatus::Duplicate);

    // A re-run keeps the run's id: its first attempt is what the poll saw, its second is news,
    // once.
    let run = |attempt: u64| {
        json!({
            "action": "completed",
            "workflow_run": { "id": 30433642, "run_attempt": attempt, "name": "CI", "status": "completed", "conclusion": "failure", "head_sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e", "head_branch": "main", "html_url": "https://github.com/octo/app/actions/runs/30433642" },
            "repository": { "id": 1, "full_name": "octo/app", "html_url": "https://github.com/octo/app" },
            "sender": { "login": "octocat", "id": 1 }
        })
        .to_string()
    };
    assert_eq!(deliver("workflow_run", "a1", &run(1)), ReceiptStatus::Duplicate);
    assert_eq!(deliver("workflow_run", "a2", &run(2)), ReceiptStatus::Accepted);
    assert_eq!(deliver("workflow_run", "a2-again", &run(2)), ReceiptStatus::Duplicate);

    // A secondary rate limit (403 with Retry-After) stops the poll for its duration.
    host.github.borrow_mut().throttle = true;
    let throttled = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    assert_eq!(throttled.status, PollStatus::Incomplete);
    assert_eq!(throttled.next_poll_at, Some(now + 120));
    assert_eq!(throttled.projects[0].code, Some(Code::HttpRateLimited));
    let calls = host.github.borrow().api_calls;
    block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    assert_eq!(host.github.borrow().api_calls, calls, "nothing is sent before Retry-After passes");
}

/// "You can re-run a workflow run ... up to 30 days after its initial run", and the re-run
/// keeps the run's id and creation time ("Re-running workflows and jobs",
/// docs.github.com/en/actions/how-tos/manage-workflow-runs/re-run-workflows-and-jobs), while
/// "List workflow runs for a repository" filters by `created` only
/// (docs.github.com/en/rest/actions/workflow-runs): a re-run of a run created long before the
/// cursor, whose delivery was lost, is still found by the poll, once.
#[test]
fn a_rerun_of_an_older_github_run_is_found_by_the_poll() {
    let host = MemoryHost::new();
    let flows = flows(&host);
    let now = host.clock.get();
    let input: ConnectWithToken = serde_json::from_value(json!({
        "provider": "github", "token": "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    }))
    .unwrap();
    let id = block_on(flows.connect_with_token(input)).unwrap().id;
    // Created ten days ago, failed then; a newer run created an hour ago.
    host.github.borrow_mut().runs.push((30433650, "completed", Some("failure"), now - 10 * 86_400));
    host.github.borrow_mut().runs.push((30433651, "completed", Some("success"), now - 3600));
    let first = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    let found: Vec<Option<&str>> = first.events.iter().map(|e| e.state_key.as_deref()).collect();
    assert_eq!(
        found,
        [
            Some("github:github.com:octo/app:pipeline:30433650:failure"),
            Some("github:github.com:octo/app:pipeline:30433651:success"),
        ]
    );

    // An hour later the old run is re-run and fails again; its delivery is lost.
    host.clock.set(now + 3600);
    host.github.borrow_mut().reruns.insert(30433650, (2, now + 3000));
    let second = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    assert!(second.projects[0].since > now - 3600, "the cursor moved past both runs' creation");
    let found: Vec<Option<&str>> = second.events.iter().map(|e| e.state_key.as_deref()).collect();
    assert_eq!(found, [Some("github:github.com:octo/app:pipeline:30433650#2:failure")]);
    assert_eq!(second.duplicates, 0, "runs not updated since the cursor are not read again");

    // Polling again finds nothing new.
    host.clock.set(now + 3700);
    let third = block_on(flows.poll_events(&id, poll(&["octo/app"]))).unwrap();
    assert!(third.events.is_empty());
}

#[test]
fn documented_comment_responses_and_failures() {
    let text = std::fs::read_to_string(root("tests/fixtures/feedback/responses.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let provider: Provider = case["provider"].as_str().unwrap().parse().unwrap();
        let location: forgelink::FeedbackLocation =
            serde_json::from_value(case["location"].clone()).unwrap();
        let response = HttpResponse {
            status: case["status"].as_u64().unwrap() as u16,
            headers: vec![],
            body: case["body"].to_string().into_bytes(),
        };
        let expect = &case["expect"];
        match forgelink::parse_comment(provider, &location, &response) {
            Ok(comment) => {
                let mut actual = serde_json::to_value(&comment).unwrap();
                actual.as_object_mut().unwrap().retain(|_, v| !v.is_null());
                assert_eq!(&actual, expect, "{name}");
            }
            Err(error) => {
                assert_eq!(json!({ "code": error.code }), *expect, "{name}");
                assert!(!error.guidance().steps.is_empty(), "{name}");
            }
        }
        // Every location has its endpoints; the request is built for the same place.
        let endpoints = endpoints(provider, case["baseUrl"].as_str()).unwrap();
        let project =
            if provider == Provider::BitbucketDataCenter { "PRJ/repo" } else { "group/repo" };
        let request =
            forgelink::prepare_create_comment(&endpoints, "t", project, &location, "x").unwrap();
        assert_eq!(request.method, "POST", "{name}");
    }
}

fn feedback(value: Value) -> forgelink::PostFeedback {
    serde_json::from_value(value).unwrap()
}

#[test]
fn feedback_lands_on_the_merge_request_and_is_updated_in_place() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let first = block_on(flows.post_feedback(&id, feedback(json!({
        "project": "group/app", "mergeRequest": 5, "commitSha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "body": "**rspec failed**: 3 tests", "key": "ci/pipeline-100",
    }))))
    .unwrap();
    assert_eq!(
        (first.target, first.action),
        (forgelink::FeedbackTarget::MergeRequest, forgelink::FeedbackAction::Created)
    );
    let second = block_on(flows.post_feedback(&id, feedback(json!({
        "project": "group/app", "mergeRequest": 5, "commitSha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
        "body": "**rspec passed** after a retry", "key": "ci/pipeline-100",
    }))))
    .unwrap();
    assert_eq!(second.action, forgelink::FeedbackAction::Updated);
    assert_eq!(second.comment_id, first.comment_id);
    let gitlab = host.gitlab.borrow();
    assert_eq!(gitlab.mr_notes.len(), 1, "one comment, rewritten");
    assert_eq!(
        gitlab.mr_notes[0].1,
        "**rspec passed** after a retry\n\n<!-- forgelink:feedback:ci/pipeline-100 -->"
    );
    assert!(gitlab.commit_notes.is_empty());
}

#[test]
fn feedback_goes_to_the_commit_without_a_merge_request_or_when_the_discussion_is_locked() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let post = |body: &str| {
        feedback(json!({
            "project": "group/app", "commitSha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
            "body": body, "key": "ci/pipeline-7",
        }))
    };
    let first = block_on(flows.post_feedback(&id, post("failed"))).unwrap();
    assert_eq!(
        (first.target, first.action),
        (forgelink::FeedbackTarget::Commit, forgelink::FeedbackAction::Created)
    );
    assert_eq!(first.skipped[0].target, forgelink::FeedbackTarget::MergeRequest);
    let second = block_on(flows.post_feedback(&id, post("fixed"))).unwrap();
    assert_eq!(
        (second.action, second.comment_id.as_str()),
        (forgelink::FeedbackAction::Updated, first.comment_id.as_str())
    );
    assert_eq!(host.gitlab.borrow().commit_notes.len(), 1);
    assert!(host.gitlab.borrow().commit_notes[0].1.starts_with("fixed\n\n<!-- forgelink"));

    // A locked merge request falls through to the commit, and says why.
    host.gitlab.borrow_mut().locked.push(5);
    let mut request = post("failed again");
    request.merge_request = Some(5);
    let result = block_on(flows.post_feedback(&id, request)).unwrap();
    assert_eq!(result.target, forgelink::FeedbackTarget::Commit);
    assert_eq!(result.skipped[0].code, Some(Code::FeedbackLocked));
    assert!(forgelink::troubleshoot(Code::FeedbackLocked, Some(Provider::GitLab)).steps[0]
        .contains("unlock"));
}

#[test]
fn feedback_opens_an_issue_once_per_key_and_needs_somewhere_to_go() {
    let host = MemoryHost::new();
    let id = connected(&host);
    let flows = flows(&host);
    let post = |body: &str| {
        feedback(json!({
            "project": "group/app", "body": body, "key": "nightly", "issueTitle": "Nightly build failed",
        }))
    };
    let first = block_on(flows.post_feedback(&id, post("broken"))).unwrap();
    assert_eq!(
        (first.target, first.action, first.issue),
        (forgelink::FeedbackTarget::Issue, forgelink::FeedbackAction::Created, Some(1))
    );
    let second = block_on(flows.post_feedback(&id, post("still broken"))).unwrap();
    assert_eq!((second.action, second.issue), (forgelink::FeedbackAction::Updated, Some(1)));
    {
        let gitlab = host.gitlab.borrow();
        assert_eq!(gitlab.issues.len(), 1);
        assert_eq!(gitlab.issues[0].1, "Nightly build failed");
        assert!(gitlab.issues[0].2.starts_with("still broken"));
    }
    let nowhere = feedback(json!({
        "project": "group/app", "body": "x", "policy": { "order": ["merge_request", "commit"] },
    }));
    assert_eq!(
        block_on(flows.post_feedback(&id, nowhere)).unwrap_err().code,
        Code::FeedbackNoTarget
    );
    // Disconnecting forgets the remembered issues with the rest of the connection.
    block_on(flows.disconnect(&id)).unwrap();
    assert!(
        host.storage.keys(host.clock.get()).iter().all(|k| k.starts_with("forgelink/v1/delivery/")
            || k.starts_with("forgelink/v1/state/")
            || k.starts_with("forgelink/v1/connection/")),
        "{:?}",
        host.storage.keys(host.clock.get())
    );
}

mod no_panic {
    use super::*;
    use proptest::prelude::*;
    use support::gen;

    /// JSON values of any shape, with the field names the parsers read: numbers at the ends
    /// of `i64` and `u64`, and timestamps in every year, valid or not.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            gen::extreme_i64().prop_map(|n| json!(n)),
            prop::sample::select(vec![json!(u64::MAX), json!(-0.0), json!(1e300), json!(7200.5)]),
            "[a-zA-Z0-9:. _-]{0,24}".prop_map(Value::String),
            gen::timestamp_text().prop_map(|(_, text)| Value::String(text)),
        ];
        let names = prop::sample::select(vec![
            "id",
            "status",
            "conclusion",
            "state",
            "name",
            "result",
            "stage",
            "values",
            "workflow_runs",
            "jobs",
            "push_data",
            "commit_to",
            "ref",
            "created_at",
            "updated_at",
            "created_on",
            "completed_on",
            "updatedDate",
            "dateAdded",
            "latestCommit",
            "fromRef",
            "next",
            "isLastPage",
            "nextPageStart",
            "target",
            "commit",
            "hash",
            "iid",
            "number",
            "timestamp",
        ]);
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(names.clone(), inner, 0..6).prop_map(
                    |m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                ),
            ]
        })
    }

    fn resource() -> impl Strategy<Value = PollResource> {
        prop_oneof![
            Just(PollResource::Pipelines),
            Just(PollResource::MergeRequests),
            Just(PollResource::Pushes),
            Just(PollResource::Branches),
            "[0-9]{1,4}".prop_map(|pipeline_id| PollResource::Jobs { pipeline_id }),
            ("[0-9]{1,4}", proptest::option::of("[0-9TZ:.-]{0,24}")).prop_map(
                |(pipeline_id, updated_at)| PollResource::Pipeline { pipeline_id, updated_at }
            ),
            "[0-9a-f]{6,40}".prop_map(|sha| PollResource::CommitStatuses { sha }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn poll_and_feedback_responses_never_panic(
            provider in prop::sample::select(Provider::ALL.to_vec()),
            resource in resource(),
            body in prop_oneof![json_value().prop_map(|v| v.to_string().into_bytes()), any::<Vec<u8>>()],
            status in prop::sample::select(vec![200u16, 201, 302, 401, 403, 404, 429, 500]),
            header in gen::seconds_or_date(),
            since in gen::extreme_i64(),
            now in gen::extreme_i64(),
        ) {
            let base = match provider {
                Provider::GitLab | Provider::BitbucketDataCenter => Some("https://git.example.com"),
                _ => None,
            };
            let endpoints = endpoints(provider, base).unwrap();
            let project = "group/app";
            let _ = forgelink::prepare_poll_request(&endpoints, "t", project, &resource, since);
            let response = HttpResponse {
                status,
                headers: ["Retry-After", "X-RateLimit-Remaining", "RateLimit-Reset", "x-ratelimit-reset", "Link", "RateLimit-ResetTime"]
                    .iter()
                    .map(|n| ((*n).to_owned(), header.clone()))
                    .collect(),
                body,
            };
            let reading = forgelink::read_rate_limit(&response, now);
            let _ = reading.blocked_until(now, status);
            for location in [
                forgelink::FeedbackLocation::MergeRequest { number: 1 },
                forgelink::FeedbackLocation::Commit { sha: "abc".into() },
                forgelink::FeedbackLocation::NewIssue { title: "t".into() },
            ] {
                for result in [
                    forgelink::parse_comment(provider, &location, &response).map(|_| ()),
                    forgelink::parse_comment_list(provider, &location, "https://git.example.com/x?a=1", &response).map(|_| ()),
                ] {
                    if let Err(error) = result {
                        prop_assert!(Code::ALL.contains(&error.code));
                    }
                }
            }
            match parse_poll_response(&endpoints, project, &resource, "https://git.example.com/api/v4/x?a=1", &response, since, now) {
                Ok(page) => prop_assert!(page.events.iter().all(|e| e.state_key.is_some())),
                Err(error) => prop_assert!(Code::ALL.contains(&error.code)),
            }
        }
    }
}
