//! `forgelink-host`: runs the forgelink component's exports from the command line and prints
//! JSON with the npm package's field names.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::http::{HttpClient, HttpConfig, ProxySetting};
use forgelink_host::storage::{FileStore, PostgresStore, Storage, StorageUrl};
use forgelink_host::{json, wit, HostError, HostState, Plugin, Runtime};
use serde_json::Value;

/// The commands beyond the provider rules, one module each.
mod cli {
    pub mod app;
    pub mod check;
    pub mod serve;
    pub mod session;
    pub mod sync;
    pub mod tokens;
    pub mod webhooks;
}

const USAGE: &str = "\
Usage: forgelink-host [OPTIONS] <COMMAND> [ARGS]

Runs the forgelink WebAssembly component and prints the result as JSON on stdout, with the
field names of the npm package `forgelink`. A forgelink error prints
{\"error\": {code, message, providerDetail?, guidance}} instead.

Commands:
  validate-base-url PROVIDER URL
  endpoints PROVIDER [BASE_URL]
  settings-pages PROVIDER [BASE_URL]      where to register OAuth apps and create tokens
  validate-redirect-uri PROVIDER REGISTERED REQUESTED
  scope-catalog PROVIDER
  check-scopes PROVIDER GRANTED [REQUIRED]...
  profiles
  authorization-url --provider P --client-id ID --redirect-uri URI
                    [--base-url U] [--scope S]... [--profile NAME] [--pkce | --no-pkce]
                    [--root-namespace-id ID]      GitLab 18.2+: the group whose SAML SSO to use
  parse-callback CALLBACK_URL EXPECTED_STATE
  troubleshoot CODE [PROVIDER]
  error-codes

  detect-token [--token-env VAR] [--custom-prefix P]
      The token from VAR, or the first line of stdin; P is the instance's own personal
      access token prefix (GitLab lets an administrator replace glpat-).
  prepare-token-exchange CLIENT --code-env VAR [--code-verifier-env VAR]
  prepare-refresh CLIENT --refresh-token-env VAR
  prepare-revoke CLIENT --token-env VAR
  prepare-device-authorization CLIENT [--scope S]...
  prepare-device-poll CLIENT --device-code-env VAR
  parse-token-response PROVIDER [--now SECS]        a response as JSON on stdin
  parse-device-authorization PROVIDER [--now SECS]  a response as JSON on stdin
  parse-api-error PROVIDER                          a response as JSON on stdin
  needs-refresh [--now SECS] [--skew SECS]          a token set as JSON on stdin

  verify-webhook [--header 'NAME: VALUE']... [--body PATH] [--secret-env VAR]...
                 [--now SECS] [--tolerance SECS] [--allow-unsigned] [--allow-sha1]
      Checks a delivery's signature over its raw body (from PATH, or stdin without
      --body or with --body -) against each secret, in order, and prints
      {provider, scheme, secretIndex}.
  parse-webhook [--header 'NAME: VALUE']... [--body PATH]
      Prints the delivery in the normalised event model. It does not verify.
  manual-webhook --provider P [--base-url U] --project PATH --url URL --profile NAME
      Prints {url, secret, events, steps}: what an administrator pastes to create the
      project's hook by hand, with a fresh random secret (keep it to verify deliveries).

  check --provider P [--base-url U] --token-env VAR [--profile NAME]
        [--username NAME] [--json]
      Connects with the access token in the environment variable VAR, tests the
      connection over real HTTP, and prints the report: one line per check, or the
      JSON report with --json. Exit status 0 when no check fails, 1 otherwise.
      Records go to a fresh temporary directory (or --storage URL) sealed with the
      configured key (or a random one), and are deleted before the command ends; in
      --storage URL, as after every disconnect, the connection's tombstone (which holds
      no secret) stays for a day.
  poll --provider P [--base-url U] --token-env VAR --project PATH... [--since SECS]
       [--cursor C] [--lookback-days N] [--max-requests N] [--username NAME] [--json]
      Connects as check does and lists what happened on each project since SECS (or
      the cursor a previous poll printed, or N days ago; default 30): pipelines, jobs,
      merge requests, pushes and build statuses, one line each, or the JSON result
      with --json. Pass the printed cursor to the next poll to continue from there.
      Exit status 0 when every project was read without an error, 1 otherwise.
  feedback --provider P [--base-url U] --token-env VAR --project PATH
           [--merge-request N] [--commit SHA] [--issue N] [--issue-title TITLE]
           [--key KEY] [--target T]... [--no-update] [--body PATH] [--username NAME]
      Connects as check does and posts the Markdown in PATH (or stdin) on the merge
      request, else the commit, else an issue (--target merge_request, commit or
      issue, repeated, sets the order). With --key, the earlier comment carrying the
      same key is updated in place (unless --no-update). Prints {target, action,
      commentId, url?, issue?, skipped}.

  serve --listen HOST:PORT --storage URL [--forward URL] [--workers N]
        [--max-body-bytes N] [--handling-seconds N] [--dedupe-seconds N]
        [--allow-unsigned-ping]
      Receives webhook deliveries over HTTP, as the npm package's webhookHandler does,
      for the hooks registered in the store (sealed with the configured key, which it
      needs). Each request's path ends in its hook's route. Answers 200 for a new or
      duplicate delivery, 202 for a GitHub App's delivery about an installation no
      connection holds (not handed over), 503 with Retry-After while a copy is being
      handled elsewhere or when handing over or storage failed, 401 for a bad signature,
      404 for an unknown route, 413 for a body over N bytes [default: 26214400], 405 for
      a method other than POST, 400 otherwise. Each new event is written to stdout as
      one line of JSON, {connectionId, project, event}, or with --forward POSTed as that
      JSON to URL (a 2xx answer means it was handled), before its delivery is confirmed.
      N workers [default: the number of CPUs, at least 2] each run an instance. The
      first line on stderr is `listening on http://ADDR:PORT`. Stops on SIGTERM or
      SIGINT once the requests under way are answered, with exit status 0.
      --handling-seconds (how long a delivery is held while handled) and
      --dedupe-seconds (how long it is remembered) default to the component's 60 seconds
      and 7 days.

  app-manifest --name NAME --url URL --redirect-url URL [--setup-url URL]
               [--webhook-url URL] [--callback-url URL]... [--organization ORG]
               [--base-url U] [--profile NAME] [--state S] [--description TEXT]
               [--public] [--request-oauth-on-install] [--setup-on-update] [--html]
      Prints {action, manifest}: post the manifest (JSON text) as the form field
      `manifest` to action, from the person's browser, to create a GitHub App with the
      profile's permissions and events [default profile: ci-failure-analysis]. With
      --html, prints a page whose form does so as it loads. Without --state, a random
      one (it is in action: check it when GitHub redirects to --redirect-url).
  app-create --code-env VAR [--base-url U]
      Converts the code GitHub sent to --redirect-url (read from VAR, within the hour)
      into the new app and prints its credentials: appId, slug, clientId, clientSecret,
      webhookSecret and privateKey (PEM). Keep them secret; save the key for --app-key.
  app-install-url --slug SLUG [--state S] [--base-url U]
      Prints {url}: where a person installs the app.
  app-setup CALLBACK_URL
      Reads the setup URL GitHub sent the person to after installing: prints
      {installationId, setupAction, state, code}.
  app-needs PROFILE
      The permissions and events a GitHub App needs for PROFILE.
  app-permissions
      Every GitHub App permission, with what it allows and the levels it takes.
  app-token --app-id ID --installation ID [--app-key|--key-file PATH] [--client-id ID]
            [--base-url U] [--profile NAME] [--repositories NAME,NAME...]
            [--permission NAME:LEVEL]...
      Prints {token, connectionId, connected, narrowed}: an installation token of the
      app's installation, the JWT signed here with the app's private key (PATH: after
      app-token, --key-file is the app's key, not the encryption key; or
      --app-key/FORGELINK_GITHUB_APP_KEY*: see below). With --storage URL (and the
      encryption key), the installation's connection is kept there and a later run
      hands out the same token until it is about to expire; without, each run connects
      in a temporary store. --repositories and --permission mint a token narrowed to
      those repositories (names without the owner) and permissions (at or below the
      installation's), for this run only.

  --storage URL sweep
      Removes from the store the values whose time-to-live has run out (claims, leases,
      pending authorizations, tombstones) and, in a directory, what crashed writes left
      behind; prints {removed}. Every write already sweeps a little; run this now and then
      (daily, say) to catch what writes do not reach. Redis expires values itself: there
      it prints {removed: 0, note} and does nothing.

PROVIDER is github, gitlab, bitbucket-cloud or bitbucket-data-center.
CLIENT is --provider P --client-id ID [--base-url U] [--redirect-uri URI]
[--client-secret-env VAR]. Secrets are read from environment variables, never from
the command line, where other users of the machine could see them. A response on
stdin is {\"status\": 200, \"headers\": [[\"name\", \"value\"]], \"body\": \"text\"}; --now
defaults to the system clock, in Unix seconds.

Options:
  --component PATH        the component to run [default: dist/forgelink.wasm]
  --cache-dir DIR         keep compiled code here [default: the user's cache directory]
  --no-cache              compile the component on every run
  --storage URL           back the storage import with this store:
                            file:DIR             a directory (one file per key)
                            redis://HOST[:PORT][/DB], rediss://… (TLS)
                                                 a Redis server; ?prefix=P before each key
                            postgres://USER@HOST[:PORT]/DB, postgresql://…
                                                 a PostgreSQL table, created if missing;
                                                 ?table=NAME [default: forgelink_storage]
                          Redis and PostgreSQL share data with the npm package's
                          stores given the same prefix or table.
  --store DIR             the same as --storage file:DIR
  --app-key [APP_ID=]PATH a GitHub App's private key (PEM: BEGIN RSA PRIVATE KEY or
                          BEGIN PRIVATE KEY), for app APP_ID or, without it, for any
                          app; repeatable. FORGELINK_GITHUB_APP_KEY (the PEM text) or
                          FORGELINK_GITHUB_APP_KEY_FILE (its path) give a key for any
                          app. The key signs the app's JWTs here and never enters the
                          component.
  --key-file PATH         the encryption key: 32 raw bytes or 64 hex characters
                          [default: 64 hex characters in FORGELINK_ENCRYPTION_KEY]
  --connect-timeout SECS  HTTP connect timeout [default: 10]
  --timeout SECS          HTTP overall timeout [default: 30]
  --proxy URL             HTTP proxy [default: from HTTPS_PROXY / HTTP_PROXY]
  --no-proxy              connect directly, ignoring the proxy variables
  --allow-private-networks
                          also connect to loopback, link-local, private and cloud
                          metadata addresses (an instance on the local network)
  --allow-insecure-http   also send plain http to machines other than this one
  --max-response-bytes N  the largest response body accepted [default: 10485760]
  -h, --help              print this help
  -V, --version           print the version

The HTTP options (--connect-timeout to --max-response-bytes) may also follow the
commands that fetch: check, poll, feedback, app-create and app-token; and serve, where
they configure the client of --forward (which may reach private networks: the operator
chose it).
--storage and --store may also follow serve.

Exit status: 0 success, 1 a forgelink error (or a failed check or poll), 2 a usage error
(printed as an input.invalid or provider.unknown error), 3 the host failed (message
on stderr).";

/// Why the program stops without a result.
enum Failure {
    /// A forgelink error from the component.
    Forgelink(Box<wit::Error>),
    /// The arguments are wrong; reported like a forgelink error with this code.
    Usage { code: &'static str, message: String },
    /// The host itself failed.
    Host(String),
    /// The command printed its own result and ends with this status.
    Done(u8),
}

impl From<HostError> for Failure {
    fn from(error: HostError) -> Self {
        Failure::Host(error.to_string())
    }
}

fn usage(message: impl Into<String>) -> Failure {
    Failure::Usage { code: "input.invalid", message: message.into() }
}

struct Options {
    component: PathBuf,
    cache_dir: Option<PathBuf>,
    /// `--storage URL`, or `--store DIR` as `file:DIR`.
    storage: Option<StorageUrl>,
    key_file: Option<PathBuf>,
    /// `--app-key [APP_ID=]PATH`, in order.
    app_keys: Vec<String>,
    http: HttpConfig,
}

/// The arguments as a queue, with `--name=value` split into two.
struct Args {
    items: std::collections::VecDeque<String>,
}

impl Args {
    fn new(raw: impl IntoIterator<Item = OsString>) -> Result<Self, Failure> {
        let mut items = std::collections::VecDeque::new();
        let mut options_done = false;
        for arg in raw {
            let arg = arg
                .into_string()
                .map_err(|arg| usage(format!("argument {arg:?} is not valid UTF-8")))?;
            if options_done || !arg.starts_with("--") {
                items.push_back(arg);
            } else if arg == "--" {
                options_done = true;
                items.push_back(arg);
            } else if let Some((name, value)) = arg.split_once('=') {
                items.push_back(name.to_owned());
                items.push_back(value.to_owned());
            } else {
                items.push_back(arg);
            }
        }
        Ok(Args { items })
    }

    fn next(&mut self) -> Option<String> {
        self.items.pop_front()
    }

    fn value(&mut self, option: &str) -> Result<String, Failure> {
        self.next().ok_or_else(|| usage(format!("{option} needs a value")))
    }

    /// The next positional argument; `--` before it lets it start with a dash.
    fn positional(&mut self, name: &str) -> Result<String, Failure> {
        match self.next() {
            Some(arg) if arg == "--" => self.positional(name),
            Some(arg) if arg.starts_with("--") => {
                Err(usage(format!("unexpected option {arg}; expected {name}")))
            }
            Some(arg) => Ok(arg),
            None => Err(usage(format!("missing {name}"))),
        }
    }

    fn optional(&mut self) -> Option<String> {
        match self.items.front() {
            Some(arg) if arg == "--" => {
                self.next();
                self.next()
            }
            Some(_) => self.next(),
            None => None,
        }
    }

    fn rest(&mut self) -> Vec<String> {
        self.items.drain(..).filter(|arg| arg != "--").collect()
    }

    fn finish(&mut self) -> Result<(), Failure> {
        match self.next() {
            Some(extra) => Err(usage(format!("unexpected argument {extra:?}"))),
            None => Ok(()),
        }
    }
}

fn seconds(option: &str, value: &str) -> Result<Duration, Failure> {
    value
        .parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| usage(format!("{option} takes a positive number of seconds, not {value:?}")))
}

fn byte_count(option: &str, value: &str) -> Result<u64, Failure> {
    value
        .parse::<u64>()
        .ok()
        .filter(|bytes| *bytes > 0)
        .ok_or_else(|| usage(format!("{option} takes a positive number of bytes, not {value:?}")))
}

/// Reads `arg` (and its value) if it is an HTTP option, into `http`; `false` otherwise. These
/// are accepted before the command and after the commands that fetch, where someone adding
/// `--allow-private-networks` to a failing `check` naturally puts it.
fn http_option(arg: &str, args: &mut Args, http: &mut HttpConfig) -> Result<bool, Failure> {
    match arg {
        "--connect-timeout" => http.connect_timeout = seconds(arg, &args.value(arg)?)?,
        "--timeout" => http.timeout = seconds(arg, &args.value(arg)?)?,
        "--proxy" => http.proxy = ProxySetting::Url(args.value(arg)?),
        "--no-proxy" => http.proxy = ProxySetting::Direct,
        "--allow-private-networks" => http.allow_private_networks = true,
        "--allow-insecure-http" => http.allow_insecure_http = true,
        "--max-response-bytes" => http.max_body_bytes = byte_count(arg, &args.value(arg)?)?,
        _ => return Ok(false),
    }
    Ok(true)
}

fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("forgelink-host"))
}

/// Reads the options before the command; returns the command name, if any.
fn parse_options(args: &mut Args) -> Result<(Options, Option<String>), Failure> {
    let mut options = Options {
        component: PathBuf::from("dist/forgelink.wasm"),
        cache_dir: default_cache_dir(),
        storage: None,
        key_file: None,
        app_keys: Vec::new(),
        http: HttpConfig::default(),
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--component" => options.component = PathBuf::from(args.value(&arg)?),
            "--cache-dir" => options.cache_dir = Some(PathBuf::from(args.value(&arg)?)),
            "--no-cache" => options.cache_dir = None,
            "--store" => options.storage = Some(StorageUrl::File(args.value(&arg)?.into())),
            "--storage" => {
                let url = args.value(&arg)?;
                let url = StorageUrl::parse(&url)
                    .map_err(|error| usage(format!("--storage: {error}")))?;
                options.storage = Some(url);
            }
            "--key-file" => options.key_file = Some(PathBuf::from(args.value(&arg)?)),
            "--app-key" => options.app_keys.push(args.value(&arg)?),
            _ if http_option(&arg, args, &mut options.http)? => {}
            "-h" | "--help" => return Ok((options, Some("help".to_owned()))),
            "-V" | "--version" => return Ok((options, Some("version".to_owned()))),
            _ if arg.starts_with('-') => return Err(usage(format!("unknown option {arg}"))),
            _ => return Ok((options, Some(arg))),
        }
    }
    Ok((options, None))
}

fn provider(args: &mut Args) -> Result<wit::Provider, Failure> {
    let id = args.positional("PROVIDER")?;
    parse_provider(&id)
}

fn parse_provider(id: &str) -> Result<wit::Provider, Failure> {
    json::parse_provider(id).ok_or_else(|| Failure::Usage {
        code: "provider.unknown",
        message: format!(
            "{id:?} is not a provider; use github, gitlab, bitbucket-cloud or bitbucket-data-center"
        ),
    })
}

fn forgelink<T>(
    result: Result<T, wit::Error>,
    to_json: impl Fn(&T) -> Value,
) -> Result<Value, Failure> {
    result.map(|value| to_json(&value)).map_err(|error| Failure::Forgelink(Box::new(error)))
}

fn authorization_request(args: &mut Args) -> Result<wit::AuthorizationRequest, Failure> {
    let (mut provider_id, mut client_id, mut redirect_uri) = (None, None, None);
    let (mut base_url, mut scopes, mut profile, mut pkce) = (None, None::<Vec<String>>, None, None);
    let mut root_namespace_id = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--provider" => provider_id = Some(args.value(&arg)?),
            "--client-id" => client_id = Some(args.value(&arg)?),
            "--redirect-uri" => redirect_uri = Some(args.value(&arg)?),
            "--base-url" => base_url = Some(args.value(&arg)?),
            "--scope" => scopes.get_or_insert_with(Vec::new).push(args.value(&arg)?),
            "--profile" => profile = Some(args.value(&arg)?),
            "--pkce" => pkce = Some(true),
            "--no-pkce" => pkce = Some(false),
            "--root-namespace-id" => root_namespace_id = Some(args.value(&arg)?),
            _ => return Err(usage(format!("unexpected argument {arg:?} for authorization-url"))),
        }
    }
    let provider_id = provider_id.ok_or_else(|| usage("authorization-url needs --provider"))?;
    Ok(wit::AuthorizationRequest {
        provider: parse_provider(&provider_id)?,
        base_url,
        client_id: client_id.ok_or_else(|| usage("authorization-url needs --client-id"))?,
        redirect_uri: redirect_uri
            .ok_or_else(|| usage("authorization-url needs --redirect-uri"))?,
        scopes,
        profile,
        pkce,
        root_namespace_id,
    })
}

fn run_command(plugin: &mut Plugin, command: &str, args: &mut Args) -> Result<Value, Failure> {
    let value = match command {
        "validate-base-url" => {
            let provider = provider(args)?;
            let input = args.positional("URL")?;
            args.finish()?;
            json::base_url_report(&plugin.validate_base_url(provider, &input)?)
        }
        "endpoints" => {
            let provider = provider(args)?;
            let base_url = args.optional();
            args.finish()?;
            forgelink(plugin.endpoints(provider, base_url.as_deref())?, json::endpoints)?
        }
        "settings-pages" => {
            let provider = provider(args)?;
            let base_url = args.optional();
            args.finish()?;
            forgelink(plugin.settings_pages(provider, base_url.as_deref())?, json::settings_pages)?
        }
        "validate-redirect-uri" => {
            let provider = provider(args)?;
            let registered = args.positional("REGISTERED")?;
            let requested = args.positional("REQUESTED")?;
            args.finish()?;
            json::diagnostics(&plugin.validate_redirect_uri(provider, &registered, &requested)?)
        }
        "scope-catalog" => {
            let provider = provider(args)?;
            args.finish()?;
            json::scope_catalog(&plugin.scope_catalog(provider)?)
        }
        "check-scopes" => {
            let provider = provider(args)?;
            let granted = args.positional("GRANTED")?;
            let required = args.rest();
            forgelink(plugin.check_scopes(provider, &granted, &required)?, json::scope_check)?
        }
        "profiles" => {
            args.finish()?;
            json::profiles(&plugin.profiles()?)
        }
        "authorization-url" => {
            let request = authorization_request(args)?;
            forgelink(plugin.authorization_url(&request)?, json::authorization)?
        }
        "parse-callback" => {
            let callback_url = args.positional("CALLBACK_URL")?;
            let expected_state = args.positional("EXPECTED_STATE")?;
            args.finish()?;
            forgelink(plugin.parse_callback(&callback_url, &expected_state)?, json::callback)?
        }
        "troubleshoot" => {
            let code = args.positional("CODE")?;
            let provider = args.optional().map(|id| parse_provider(&id)).transpose()?;
            args.finish()?;
            forgelink(plugin.troubleshoot(&code, provider)?, json::guidance)?
        }
        "error-codes" => {
            args.finish()?;
            json::error_codes(&plugin.error_codes()?)
        }
        other => match cli::tokens::run(plugin, other, args)? {
            Some(value) => value,
            None => match cli::webhooks::run(plugin, other, args)? {
                Some(value) => value,
                None => match cli::app::run(plugin, other, args)? {
                    Some(value) => value,
                    None => return Err(usage(format!("unknown command {other:?}; see --help"))),
                },
            },
        },
    };
    Ok(value)
}

/// Writes to stdout without `println!`, which panics when stdout is closed.
fn print_text(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .map_err(|error| Failure::Host(format!("cannot write to stdout: {error}")))
}

fn print_json(value: &Value) -> Result<(), Failure> {
    let text =
        serde_json::to_string_pretty(value).map_err(|error| Failure::Host(error.to_string()))?;
    print_text(&text)
}

/// Turns a usage failure into the same JSON as a forgelink error, with the component's
/// guidance for its code.
fn usage_error(plugin: &mut Plugin, code: &'static str, message: String) -> Option<Value> {
    // The component knows every code the host uses; if a future one did not, the caller falls
    // back to a plain message.
    let guidance = plugin.troubleshoot(code, None).ok()?.ok()?;
    Some(json::error(&wit::Error {
        code: code.to_owned(),
        message,
        provider_detail: None,
        retry_after: None,
        guidance,
    }))
}

fn report(message: &str, status: u8) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "forgelink-host: {message}");
    ExitCode::from(status)
}

fn main() -> ExitCode {
    let mut plugin = None;
    let failure = match run(&mut plugin) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(failure) => failure,
    };
    let (value, status) = match failure {
        Failure::Forgelink(error) => (json::error(&error), 1),
        Failure::Usage { code, message } => {
            match plugin.as_mut().and_then(|plugin| usage_error(plugin, code, message.clone())) {
                Some(value) => (value, 2),
                None => return report(&message, 2),
            }
        }
        Failure::Host(message) => return report(&message, 3),
        Failure::Done(status) => return ExitCode::from(status),
    };
    match print_json(&value) {
        Ok(()) => ExitCode::from(status),
        Err(_) => report("cannot write the result to stdout", 3),
    }
}

/// `--storage URL sweep`. A directory's expiry is judged by the system clock, the one this
/// program gives the component; PostgreSQL's by the database's clock, as its store does.
fn sweep(options: &Options, args: &mut Args) -> Result<(), Failure> {
    args.finish()?;
    let url = options
        .storage
        .as_ref()
        .ok_or_else(|| usage("sweep needs --storage URL (or --store DIR)"))?;
    let failed = |error: std::io::Error| Failure::Host(format!("cannot sweep the store: {error}"));
    let removed = match url {
        StorageUrl::File(dir) => FileStore::open(dir).and_then(|store| store.sweep(SystemClock.now())),
        StorageUrl::Postgres(url) => PostgresStore::open(url)
            .and_then(|store| store.sweep())
            .map(|removed| usize::try_from(removed).unwrap_or(usize::MAX)),
        StorageUrl::Redis(_) => {
            return print_json(&serde_json::json!({
                "removed": 0,
                "note": "Redis removes values whose time-to-live has run out by itself: there is nothing to sweep.",
            }));
        }
        other => return Err(usage(format!("sweep cannot sweep {other:?}"))),
    }
    .map_err(failed)?;
    print_json(&serde_json::json!({ "removed": removed }))
}

/// Opens the store `--storage` names. A URL that cannot name a store (a bad port, a bad table
/// name) is a usage error; a directory that cannot be created, the host's failure.
pub(crate) fn open_storage(url: &StorageUrl) -> Result<Box<dyn Storage>, Failure> {
    url.open().map_err(|error| match error.kind() {
        std::io::ErrorKind::InvalidInput => usage(format!("--storage: {error}")),
        _ => Failure::Host(format!("cannot open the store: {error}")),
    })
}

fn run(plugin_slot: &mut Option<Plugin>) -> Result<(), Failure> {
    let mut args = Args::new(std::env::args_os().skip(1))?;
    let (mut options, command) = parse_options(&mut args)?;
    let command = match command.as_deref() {
        Some("help") => return print_text(USAGE),
        Some("version") => {
            return print_text(concat!("forgelink-host ", env!("CARGO_PKG_VERSION")));
        }
        Some(command) => command.to_owned(),
        None => {
            let _ = writeln!(std::io::stderr(), "{USAGE}");
            return Err(usage("no command given"));
        }
    };

    let runtime =
        Runtime::load(&options.component, options.cache_dir.as_deref()).map_err(|error| {
            Failure::Host(format!(
                "{error} (build it with `make component`, or pass --component PATH)"
            ))
        })?;
    let http = HttpClient::new(&options.http).map_err(usage)?;
    let mut state = HostState::new(http, None);
    if let Some(url) = &options.storage {
        state = state.with_storage(open_storage(url)?);
    }
    let plugin = plugin_slot.insert(runtime.instantiate(state)?);
    match command.as_str() {
        "sweep" => return sweep(&options, &mut args),
        "check" => return cli::check::run(&runtime, plugin_slot, &mut options, &mut args),
        "poll" => return cli::sync::poll(&runtime, plugin_slot, &mut options, &mut args),
        "feedback" => return cli::sync::feedback(&runtime, plugin_slot, &mut options, &mut args),
        "serve" => return cli::serve::run(&runtime, &mut options, &mut args),
        "app-manifest" => return cli::app::manifest(plugin, &mut args),
        "app-create" => return cli::app::create(&runtime, plugin_slot, &mut options, &mut args),
        "app-token" => return cli::app::token(&runtime, plugin_slot, &mut options, &mut args),
        _ => {}
    }
    let value = run_command(plugin, &command, &mut args)?;
    print_json(&value)
}
