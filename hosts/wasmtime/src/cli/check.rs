//! `forgelink-host check`: connect with an access token, test the connection, print the report.

use std::fmt::Write as _;

use forgelink_host::http::HttpConfig;
use forgelink_host::{json, wit, Plugin, Runtime};

use super::session::{instantiate, ConnectionFlags};
use crate::{print_json, print_text, usage, Args, Failure, Options};

/// How many guidance steps a failing or warning check shows in the human-readable report; the
/// JSON report carries all of them.
const STEPS_SHOWN: usize = 2;

struct Request {
    connect: wit::ConnectWithTokenRequest,
    json: bool,
}

fn parse(args: &mut Args, http: &mut HttpConfig) -> Result<Request, Failure> {
    let (mut connection, mut json) = (ConnectionFlags::default(), false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--json" => json = true,
            _ if connection.take(&arg, args, http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for check"))),
        }
    }
    Ok(Request { connect: connection.request("check")?, json })
}

/// Runs `check`. `plugin_slot` holds a plain instance, used to explain usage errors; the
/// check runs in an instance of its own with the key and the store it needs.
pub fn run(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &mut Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let request = parse(args, &mut options.http)?;
    let (plugin, temporary) = instantiate(runtime, plugin_slot, options)?;

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

pub(super) fn line(out: &mut String, status: &str, name: &str, code: Option<&str>, message: &str) {
    let _ = write!(out, "{status:<4}  {name:<NAME_WIDTH$}  ");
    if let Some(code) = code {
        let _ = write!(out, "{code}: ");
    }
    let _ = writeln!(out, "{}", one_line(message));
}

pub(super) fn steps(out: &mut String, guidance: &wit::Guidance) {
    for step in guidance.steps.iter().take(STEPS_SHOWN) {
        let _ = writeln!(out, "{:width$}- {}", "", one_line(step), width = 6 + NAME_WIDTH + 2);
    }
}

/// Provider text can hold line breaks or terminal escapes; a report line must stay one line
/// and must not drive the terminal.
pub(super) fn one_line(text: &str) -> String {
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
            &json::check_status_id(check.status),
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

pub(super) fn connect_failure(error: &wit::Error) -> String {
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
