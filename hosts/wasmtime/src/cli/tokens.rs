//! The `tokens` export on the command line: request builders whose secrets come from
//! environment variables, and parsers that read a response or a token set on stdin.

use std::collections::BTreeMap;
use std::io::Read;

use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::{json, wit, Plugin};
use serde_json::Value;

use crate::{forgelink, parse_provider, provider, usage, Args, Failure};

/// The most stdin a command reads: responses forgelink parses are a few kilobytes, and the
/// host's HTTP client refuses bodies over 16 MiB anyway.
const MAX_STDIN_BYTES: u64 = 16 * 1024 * 1024;

/// Runs `command` if it is one of this module's; `None` otherwise.
pub fn run(plugin: &mut Plugin, command: &str, args: &mut Args) -> Result<Option<Value>, Failure> {
    let value = match command {
        "detect-token" => {
            let mut options =
                Flags::parse(args, command, &["--token-env", "--custom-prefix"], &[])?;
            let token = match options.take("--token-env") {
                Some(variable) => secret(&variable)?,
                None => first_line(&read_stdin()?),
            };
            match options.take("--custom-prefix") {
                Some(prefix) => {
                    json::token_info(&plugin.detect_token_with_prefix(&token, Some(&prefix))?)
                }
                None => json::token_info(&plugin.detect_token(&token)?),
            }
        }
        "prepare-token-exchange" => {
            let mut options =
                Flags::parse(args, command, &["--code-env", "--code-verifier-env"], CLIENT)?;
            let client = client(&mut options, command)?;
            let code = secret(&options.required("--code-env")?)?;
            let verifier = options.take("--code-verifier-env").map(|v| secret(&v)).transpose()?;
            let result = plugin.prepare_token_exchange(&client, &code, verifier.as_deref())?;
            forgelink(result, json::request)?
        }
        "prepare-refresh" => {
            let mut options = Flags::parse(args, command, &["--refresh-token-env"], CLIENT)?;
            let client = client(&mut options, command)?;
            let refresh_token = secret(&options.required("--refresh-token-env")?)?;
            forgelink(plugin.prepare_refresh(&client, &refresh_token)?, json::request)?
        }
        "prepare-revoke" => {
            let mut options = Flags::parse(args, command, &["--token-env"], CLIENT)?;
            let client = client(&mut options, command)?;
            let token = secret(&options.required("--token-env")?)?;
            forgelink(plugin.prepare_revoke(&client, &token)?, json::request)?
        }
        "prepare-device-authorization" => {
            let mut options = Flags::parse(args, command, &[], CLIENT)?;
            let scopes = options.take_all("--scope");
            let client = client(&mut options, command)?;
            forgelink(plugin.prepare_device_authorization(&client, &scopes)?, json::request)?
        }
        "prepare-device-poll" => {
            let mut options = Flags::parse(args, command, &["--device-code-env"], CLIENT)?;
            let client = client(&mut options, command)?;
            let device_code = secret(&options.required("--device-code-env")?)?;
            forgelink(plugin.prepare_device_poll(&client, &device_code)?, json::request)?
        }
        "parse-token-response" | "parse-device-authorization" => {
            let provider = provider(args)?;
            let mut options = Flags::parse(args, command, &["--now"], &[])?;
            let now = now(&mut options)?;
            let response = json::parse_response(&stdin_json()?)
                .map_err(|message| usage(format!("the response on stdin: {message}")))?;
            if command == "parse-token-response" {
                let result = plugin.parse_token_response(provider, &response, now)?;
                forgelink(result, json::token_set)?
            } else {
                let result = plugin.parse_device_authorization(provider, &response, now)?;
                forgelink(result, json::device_authorization)?
            }
        }
        "parse-api-error" => {
            let provider = provider(args)?;
            args.finish()?;
            let response = json::parse_response(&stdin_json()?)
                .map_err(|message| usage(format!("the response on stdin: {message}")))?;
            json::api_error(&plugin.parse_api_error(provider, &response)?)
        }
        "needs-refresh" => {
            let mut options = Flags::parse(args, command, &["--now", "--skew"], &[])?;
            let now = now(&mut options)?;
            let skew = match options.take("--skew") {
                Some(text) => integer("--skew", &text)?,
                None => 60,
            };
            let tokens = json::parse_token_set(&stdin_json()?)
                .map_err(|message| usage(format!("the token set on stdin: {message}")))?;
            Value::Bool(plugin.needs_refresh(&tokens, now, skew)?)
        }
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// The options every `prepare-*` command takes to describe the OAuth application.
const CLIENT: &[&str] = &[
    "--provider",
    "--base-url",
    "--client-id",
    "--client-secret-env",
    "--redirect-uri",
    "--scope",
];

/// `--name value` options, each at most once except `--scope`.
struct Flags {
    values: BTreeMap<String, Vec<String>>,
}

impl Flags {
    fn parse(
        args: &mut Args,
        command: &str,
        own: &[&str],
        shared: &[&str],
    ) -> Result<Self, Failure> {
        let mut values: BTreeMap<String, Vec<String>> = BTreeMap::new();
        while let Some(arg) = args.next() {
            if !own.contains(&arg.as_str()) && !shared.contains(&arg.as_str()) {
                return Err(usage(format!("unexpected argument {arg:?} for {command}")));
            }
            let value = args.value(&arg)?;
            let slot = values.entry(arg.clone()).or_default();
            if !slot.is_empty() && arg != "--scope" {
                return Err(usage(format!("{arg} given twice")));
            }
            slot.push(value);
        }
        // `--scope` is only meaningful where scopes are sent.
        if values.contains_key("--scope") && command != "prepare-device-authorization" {
            return Err(usage(format!("{command} takes no --scope")));
        }
        Ok(Flags { values })
    }

    fn take(&mut self, name: &str) -> Option<String> {
        self.values.remove(name).and_then(|mut values| values.pop())
    }

    fn take_all(&mut self, name: &str) -> Vec<String> {
        self.values.remove(name).unwrap_or_default()
    }

    fn required(&mut self, name: &str) -> Result<String, Failure> {
        self.take(name).ok_or_else(|| usage(format!("{name} is required")))
    }
}

fn client(options: &mut Flags, command: &str) -> Result<wit::OauthClient, Failure> {
    let provider =
        options.take("--provider").ok_or_else(|| usage(format!("{command} needs --provider")))?;
    Ok(wit::OauthClient {
        provider: parse_provider(&provider)?,
        base_url: options.take("--base-url"),
        client_id: options
            .take("--client-id")
            .ok_or_else(|| usage(format!("{command} needs --client-id")))?,
        client_secret: options.take("--client-secret-env").map(|v| secret(&v)).transpose()?,
        redirect_uri: options.take("--redirect-uri"),
    })
}

/// The value of the environment variable `variable`, which must be set and not empty.
pub fn secret(variable: &str) -> Result<String, Failure> {
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(value),
        Ok(_) => Err(usage(format!("the environment variable {variable} is empty"))),
        Err(std::env::VarError::NotPresent) => {
            Err(usage(format!("the environment variable {variable} is not set")))
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(usage(format!("the environment variable {variable} is not valid UTF-8")))
        }
    }
}

fn integer(option: &str, text: &str) -> Result<i64, Failure> {
    text.trim()
        .parse()
        .map_err(|_| usage(format!("{option} takes a whole number of seconds, not {text:?}")))
}

fn now(options: &mut Flags) -> Result<i64, Failure> {
    match options.take("--now") {
        Some(text) => integer("--now", &text),
        None => Ok(SystemClock.now()),
    }
}

fn read_stdin() -> Result<String, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| Failure::Host(format!("cannot read stdin: {error}")))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(usage(format!("stdin holds more than {MAX_STDIN_BYTES} bytes")));
    }
    String::from_utf8(bytes).map_err(|_| usage("stdin is not valid UTF-8"))
}

fn stdin_json() -> Result<Value, Failure> {
    serde_json::from_str(&read_stdin()?)
        .map_err(|error| usage(format!("stdin is not JSON: {error}")))
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_owned()
}
