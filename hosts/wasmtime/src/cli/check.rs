//! `forgelink-host check`: connect with an access token, test the connection, print the report.

use std::fmt::Write as _;
use std::path::PathBuf;

use forgelink_host::environment::{EncryptionKey, KeyError};
use forgelink_host::http::HttpClient;
use forgelink_host::storage::FileStore;
use forgelink_host::{json, wit, HostState, Plugin, Runtime};

use super::tokens::secret;
use crate::{parse_provider, print_json, print_text, usage, Args, Failure, Options};

/// How many guidance steps a failing or warning check shows in the human-readable report; the
/// JSON report carries all of them.
const STEPS_SHOWN: usize = 2;

struct Request {
    connect: wit::ConnectWithTokenRequest,
    json: bool,
}

fn parse(args: &mut Args) -> Result<Request, Failure> {
    let (mut provider, mut base_url, mut token_env, mut profile, mut username, mut json) =
        (None, None, None, None, None, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--provider" => provider = Some(args.value(&arg)?),
            "--base-url" => base_url = Some(args.value(&arg)?),
            "--token-env" => token_env = Some(args.value(&arg)?),
            "--profile" => profile = Some(args.value(&arg)?),
            "--username" => username = Some(args.value(&arg)?),
            "--json" => json = true,
            _ => return Err(usage(format!("unexpected argument {arg:?} for check"))),
        }
    }
    let provider = parse_provider(&provider.ok_or_else(|| usage("check needs --provider"))?)?;
    let token = secret(&token_env.ok_or_else(|| usage("check needs --token-env VAR"))?)?;
    Ok(Request {
        connect: wit::ConnectWithTokenRequest { provider, base_url, token, username, profile },
        json,
    })
}

/// The configured key, or a fresh random one: what `check` stores is deleted before it ends,
/// so no later process needs to open it.
fn key(options: &Options) -> Result<EncryptionKey, Failure> {
    let configured = match &options.key_file {
        Some(path) => Some(EncryptionKey::from_file(path)),
        None => EncryptionKey::from_environment(),
    };
    match configured {
        Some(key) => key.map_err(|error| usage(error.to_string())),
        None => EncryptionKey::random().map_err(|error: KeyError| Failure::Host(error.to_string())),
    }
}

/// A directory of its own under the system's temporary directory, removed on drop.
struct TemporaryStore {
    dir: PathBuf,
}

impl TemporaryStore {
    fn create() -> Result<Self, Failure> {
        let failed = |error: std::io::Error| {
            Failure::Host(format!("cannot create a temporary store: {error}"))
        };
        let mut suffix = [0u8; 8];
        getrandom::getrandom(&mut suffix)
            .map_err(|error| Failure::Host(format!("the OS random source failed: {error}")))?;
        let suffix: String = suffix.iter().map(|byte| format!("{byte:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("forgelink-check-{suffix}"));
        // `create_dir`, not `create_dir_all`: a directory that already exists is not ours.
        std::fs::create_dir(&dir).map_err(failed)?;
        Ok(TemporaryStore { dir })
    }
}

impl Drop for TemporaryStore {
    fn drop(&mut self) {
        // Best effort: the records in it are sealed with a key that dies with this process.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `check`. `plugin_slot` holds a plain instance, used to explain usage errors; the
/// check runs in an instance of its own with the key and the store it needs.
pub fn run(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let request = parse(args)?;
    let key = key(options)?;
    let http = HttpClient::new(&options.http).map_err(usage)?;
    let temporary = match &options.store {
        Some(_) => None,
        None => Some(TemporaryStore::create()?),
    };
    let dir = match (&options.store, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temporary)) => temporary.dir.clone(),
        (None, None) => return Err(Failure::Host("no store directory".into())),
    };
    let store = FileStore::open(&dir)
        .map_err(|error| Failure::Host(format!("cannot open the store: {error}")))?;
    let state = HostState::new(http, Some(store)).with_encryption_key(key);
    let plugin = plugin_slot.insert(runtime.instantiate(state)?);

    let connection = match plugin.connect_with_token(&request.connect)? {
        Ok(connection) => connection,
        Err(error) if request.json => return Err(Failure::Forgelink(Box::new(error))),
        Err(error) => {
            print_text(&connect_failure(&error))?;
            return Err(Failure::Done(1));
        }
    };
    let report = plugin.test_connection(&connection.id)?;
    // Nothing of the check may outlive it: a token connection revokes nothing on disconnect,
    // it only deletes the sealed record.
    let _ = plugin.disconnect(&connection.id);
    drop(temporary);
    let report = report.map_err(|error| Failure::Forgelink(Box::new(error)))?;
    if request.json {
        print_json(&json::connection_report(&report))?;
    } else {
        print_text(&human(&connection, &report))?;
    }
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Done(1))
    }
}

/// The longest check name, so that messages line up.
const NAME_WIDTH: usize = 14;

fn line(out: &mut String, status: &str, name: &str, code: Option<&str>, message: &str) {
    let _ = write!(out, "{status:<4}  {name:<NAME_WIDTH$}  ");
    if let Some(code) = code {
        let _ = write!(out, "{code}: ");
    }
    let _ = writeln!(out, "{}", one_line(message));
}

fn steps(out: &mut String, guidance: &wit::Guidance) {
    for step in guidance.steps.iter().take(STEPS_SHOWN) {
        let _ = writeln!(out, "{:width$}- {}", "", one_line(step), width = 6 + NAME_WIDTH + 2);
    }
}

/// Provider text can hold line breaks or terminal escapes; a report line must stay one line
/// and must not drive the terminal.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn human(connection: &wit::Connection, report: &wit::ConnectionReport) -> String {
    let mut out = String::new();
    let account = &connection.account;
    let name = account.name.as_deref().map(|name| format!(" ({})", one_line(name)));
    let _ = writeln!(
        out,
        "{} at {}, connected as {}{}",
        json::provider_id(connection.provider),
        one_line(&connection.base_url),
        one_line(&account.username),
        name.unwrap_or_default()
    );
    for check in &report.checks {
        line(
            &mut out,
            json::check_status_id(check.status),
            &check.name,
            check.code.as_deref(),
            &check.message,
        );
        if let Some(guidance) = &check.guidance {
            steps(&mut out, guidance);
        }
    }
    let count = |status| report.checks.iter().filter(|check| check.status == status).count();
    let (passed, warned, failed) = (
        count(wit::CheckStatus::Pass),
        count(wit::CheckStatus::Warn),
        count(wit::CheckStatus::Fail),
    );
    let verdict = if report.ok { "ok" } else { "failed" };
    let _ = write!(out, "{verdict}: {passed} passed, {warned} warned, {failed} failed");
    out
}

fn connect_failure(error: &wit::Error) -> String {
    let mut out = String::new();
    line(&mut out, "fail", "connect", Some(&error.code), &error.message);
    steps(&mut out, &error.guidance);
    if let Some(detail) = &error.provider_detail {
        let _ =
            writeln!(out, "{:width$}detail: {}", "", one_line(detail), width = 6 + NAME_WIDTH + 2);
    }
    out.push_str("failed: the connection could not be made");
    out
}
