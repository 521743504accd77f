//! The `webhooks` export on the command line: a delivery's headers as repeated `--header`
//! options, its raw body from a file or stdin, and its secrets from environment variables;
//! and the setup of a hook an administrator creates by hand.

use std::io::Read;

use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::{json, wit, Plugin};
use serde_json::Value;

use crate::cli::tokens::secret;
use crate::{forgelink, parse_provider, usage, Args, Failure};

/// One byte more than any provider sends (25 MiB), so that an oversized body reaches the
/// component and is reported as `webhook.body_too_large` instead of being cut short.
const MAX_BODY_BYTES: u64 = 25 * 1024 * 1024 + 1;

/// What the two commands read before calling the component.
struct Delivery {
    headers: Vec<(String, String)>,
    body_path: Option<String>,
    secret_variables: Vec<String>,
    now: Option<i64>,
    tolerance_seconds: Option<i64>,
    allow_unsigned: bool,
    allow_sha1: bool,
}

/// Runs `command` if it is one of this module's; `None` otherwise.
pub fn run(plugin: &mut Plugin, command: &str, args: &mut Args) -> Result<Option<Value>, Failure> {
    let value = match command {
        "verify-webhook" => {
            let delivery = Delivery::parse(args, command, true)?;
            let secrets = delivery
                .secret_variables
                .iter()
                .map(|variable| secret(variable))
                .collect::<Result<Vec<_>, _>>()?;
            let body = delivery.body()?;
            let options = wit::VerifyOptions {
                // Standard Webhooks signatures carry a timestamp; without `--now` it is checked
                // against the system clock, as a receiving server would.
                now: Some(delivery.now.unwrap_or_else(|| SystemClock.now())),
                tolerance_seconds: delivery.tolerance_seconds,
                allow_unsigned: delivery.allow_unsigned,
                allow_sha1: delivery.allow_sha1,
            };
            let result = plugin.verify_webhook(&delivery.headers, &body, &secrets, options)?;
            forgelink(result, json::verified)?
        }
        "parse-webhook" => {
            let delivery = Delivery::parse(args, command, false)?;
            let body = delivery.body()?;
            forgelink(plugin.parse_webhook(&delivery.headers, &body)?, json::webhook_event)?
        }
        "manual-webhook" => {
            let request = manual_webhook(args)?;
            forgelink(plugin.manual_webhook_setup(&request)?, json::manual_setup)?
        }
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// `--provider P [--base-url U] --project PATH --url URL --profile NAME`.
fn manual_webhook(args: &mut Args) -> Result<wit::ManualWebhookSetupRequest, Failure> {
    let (mut provider, mut base_url, mut project, mut url, mut profile) =
        (None, None, None, None, None);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--provider" => &mut provider,
            "--base-url" => &mut base_url,
            "--project" => &mut project,
            "--url" => &mut url,
            "--profile" => &mut profile,
            _ => return Err(usage(format!("unexpected argument {arg:?} for manual-webhook"))),
        };
        *slot = Some(args.value(&arg)?);
    }
    let needs = |value: Option<String>, option: &str| {
        value.ok_or_else(|| usage(format!("manual-webhook needs {option}")))
    };
    Ok(wit::ManualWebhookSetupRequest {
        provider: parse_provider(&needs(provider, "--provider")?)?,
        base_url,
        project: needs(project, "--project PATH")?,
        url: needs(url, "--url URL")?,
        profile: needs(profile, "--profile NAME")?,
    })
}

/// `Name: value`, split at the first colon, as a header line is written.
fn header(text: &str) -> Result<(String, String), Failure> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(usage(format!("--header takes 'Name: value', not {text:?}"))),
    }
}

fn integer(option: &str, text: &str) -> Result<i64, Failure> {
    text.trim()
        .parse()
        .map_err(|_| usage(format!("{option} takes a whole number of seconds, not {text:?}")))
}

impl Delivery {
    fn parse(args: &mut Args, command: &str, verifying: bool) -> Result<Self, Failure> {
        let mut delivery = Delivery {
            headers: Vec::new(),
            body_path: None,
            secret_variables: Vec::new(),
            now: None,
            tolerance_seconds: None,
            allow_unsigned: false,
            allow_sha1: false,
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--header" => delivery.headers.push(header(&args.value(&arg)?)?),
                "--body" if delivery.body_path.is_none() => {
                    delivery.body_path = Some(args.value(&arg)?)
                }
                "--secret-env" if verifying => delivery.secret_variables.push(args.value(&arg)?),
                "--now" if verifying => delivery.now = Some(integer(&arg, &args.value(&arg)?)?),
                "--tolerance" if verifying => {
                    delivery.tolerance_seconds = Some(integer(&arg, &args.value(&arg)?)?)
                }
                "--allow-unsigned" if verifying => delivery.allow_unsigned = true,
                "--allow-sha1" if verifying => delivery.allow_sha1 = true,
                _ => return Err(usage(format!("unexpected argument {arg:?} for {command}"))),
            }
        }
        Ok(delivery)
    }

    /// The raw bytes, exactly as received: signatures are computed over them, so they are
    /// never decoded or trimmed.
    fn body(&self) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        let outcome = match self.body_path.as_deref() {
            None | Some("-") => {
                std::io::stdin().lock().take(MAX_BODY_BYTES).read_to_end(&mut bytes)
            }
            Some(path) => std::fs::File::open(path)
                .and_then(|file| file.take(MAX_BODY_BYTES).read_to_end(&mut bytes)),
        };
        outcome.map_err(|error| {
            let source = self.body_path.as_deref().unwrap_or("stdin");
            Failure::Host(format!("cannot read the body from {source}: {error}"))
        })?;
        Ok(bytes)
    }
}
