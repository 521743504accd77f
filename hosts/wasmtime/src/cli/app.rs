//! GitHub Apps on the command line: the manifest form that creates one, the code GitHub sends
//! back converted into the app, the installation URL and setup callback, and installation
//! tokens signed with the app's key, which stays in this process.

use forgelink_host::environment::{Clock, SystemClock};
use forgelink_host::storage::Storage;
use forgelink_host::{json, wit, Plugin, Runtime};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::session::instantiate;
use super::tokens::secret;
use crate::{forgelink, http_option, print_json, print_text, usage, Args, Failure, Options};

/// Runs the pure commands (`app-install-url`, `app-setup`, `app-needs`, `app-permissions`);
/// `None` for any other.
pub fn run(plugin: &mut Plugin, command: &str, args: &mut Args) -> Result<Option<Value>, Failure> {
    let value = match command {
        "app-install-url" => {
            let (mut slug, mut state, mut base_url) = (None, None, None);
            while let Some(arg) = args.next() {
                match arg.as_str() {
                    "--slug" => slug = Some(args.value(&arg)?),
                    "--state" => state = Some(args.value(&arg)?),
                    "--base-url" => base_url = Some(args.value(&arg)?),
                    _ => return Err(usage(format!("unexpected argument {arg:?} for {command}"))),
                }
            }
            let slug = slug.ok_or_else(|| usage(format!("{command} needs --slug")))?;
            let url =
                plugin.github_app_install_url(&slug, state.as_deref(), base_url.as_deref())?;
            forgelink(url, |url| json!({ "url": url }))?
        }
        "app-setup" => {
            let callback = args.positional("CALLBACK_URL")?;
            args.finish()?;
            forgelink(plugin.parse_github_app_setup(&callback)?, json::app_setup)?
        }
        "app-needs" => {
            let profile = args.positional("PROFILE")?;
            args.finish()?;
            forgelink(plugin.github_app_needs(&profile)?, json::app_needs)?
        }
        "app-permissions" => {
            args.finish()?;
            json::app_permissions(&plugin.github_app_permissions()?)
        }
        _ => return Ok(None),
    };
    Ok(Some(value))
}

/// `app-manifest`: prints `{action, manifest}`, or with `--html` a page whose form posts the
/// manifest to GitHub as soon as it loads.
pub fn manifest(plugin: &mut Plugin, args: &mut Args) -> Result<(), Failure> {
    let mut options = wit::AppManifestOptions {
        base_url: None,
        organization: None,
        name: String::new(),
        url: String::new(),
        redirect_url: String::new(),
        callback_urls: Vec::new(),
        setup_url: None,
        setup_on_update: false,
        webhook_url: None,
        public: false,
        request_oauth_on_install: false,
        description: None,
        profile: "ci-failure-analysis".to_owned(),
        state: String::new(),
    };
    let (mut name, mut url, mut redirect_url, mut html) = (None, None, None, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--name" => name = Some(args.value(&arg)?),
            "--url" => url = Some(args.value(&arg)?),
            "--redirect-url" => redirect_url = Some(args.value(&arg)?),
            "--callback-url" => options.callback_urls.push(args.value(&arg)?),
            "--setup-url" => options.setup_url = Some(args.value(&arg)?),
            "--webhook-url" => options.webhook_url = Some(args.value(&arg)?),
            "--organization" => options.organization = Some(args.value(&arg)?),
            "--base-url" => options.base_url = Some(args.value(&arg)?),
            "--profile" => options.profile = args.value(&arg)?,
            "--state" => options.state = args.value(&arg)?,
            "--description" => options.description = Some(args.value(&arg)?),
            "--public" => options.public = true,
            "--request-oauth-on-install" => options.request_oauth_on_install = true,
            "--setup-on-update" => options.setup_on_update = true,
            "--html" => html = true,
            _ => return Err(usage(format!("unexpected argument {arg:?} for app-manifest"))),
        }
    }
    options.name = name.ok_or_else(|| usage("app-manifest needs --name"))?;
    options.url = url.ok_or_else(|| usage("app-manifest needs --url"))?;
    options.redirect_url =
        redirect_url.ok_or_else(|| usage("app-manifest needs --redirect-url"))?;
    if options.state.is_empty() {
        options.state = random_state()?;
    }
    let form =
        plugin.github_app_manifest(&options)?.map_err(|e| Failure::Forgelink(Box::new(e)))?;
    if html {
        print_text(&form_html(&form))
    } else {
        print_json(&json::app_manifest_form(&form))
    }
}

/// 128 random bits in hexadecimal: the `state` when none is given (it is in the printed
/// `action`, to check when GitHub sends the person back).
fn random_state() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|error| Failure::Host(format!("the OS random source failed: {error}")))?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Text for an HTML attribute value in double quotes.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// A page that posts the manifest to GitHub: by script as it loads, or by its button.
pub fn form_html(form: &wit::AppManifestForm) -> String {
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>Create the GitHub App</title>\n\
         <form id=\"github-app-manifest\" method=\"post\" action=\"{}\">\n  \
         <input type=\"hidden\" name=\"manifest\" value=\"{}\">\n  \
         <button type=\"submit\">Create the GitHub App</button>\n</form>\n\
         <script>document.getElementById(\"github-app-manifest\").submit();</script>",
        attribute(&form.action),
        attribute(&form.manifest)
    )
}

/// `app-create --code-env VAR [--base-url U]`: converts the manifest's code into the app and
/// prints its credentials, private key included. Nothing is stored.
pub fn create(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &mut Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let (mut code_env, mut base_url) = (None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--code-env" => code_env = Some(args.value(&arg)?),
            "--base-url" => base_url = Some(args.value(&arg)?),
            _ if http_option(&arg, args, &mut options.http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for app-create"))),
        }
    }
    let variable = code_env.ok_or_else(|| usage("app-create needs --code-env VAR"))?;
    let request = wit::CreateGithubAppRequest { base_url, code: secret(&variable)? };
    let (plugin, temporary) = instantiate(runtime, plugin_slot, options)?;
    let created = plugin.create_github_app(&request)?;
    drop(temporary);
    let app = created.map_err(|error| Failure::Forgelink(Box::new(error)))?;
    print_json(&json::github_app_credentials(&app))
}

/// What `app-token` was asked for.
struct TokenRequest {
    connect: wit::ConnectGithubAppRequest,
    narrowing: wit::TokenNarrowing,
}

fn parse_token(args: &mut Args, options: &mut Options) -> Result<TokenRequest, Failure> {
    let number = |option: &str, value: String| {
        value.parse::<u64>().map_err(|_| usage(format!("{option} takes a number, not {value:?}")))
    };
    let (mut app_id, mut installation, mut key) = (None, None, None);
    let (mut base_url, mut client_id, mut profile) = (None, None, None);
    let (mut repositories, mut permissions) = (Vec::new(), Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--app-id" => app_id = Some(number(&arg, args.value(&arg)?)?),
            "--installation" => installation = Some(number(&arg, args.value(&arg)?)?),
            // After the command, `--key-file` is the app's key (the spelling GitHub App
            // tooling uses); before it, the encryption key's.
            "--app-key" | "--key-file" => key = Some(args.value(&arg)?),
            "--base-url" => base_url = Some(args.value(&arg)?),
            "--client-id" => client_id = Some(args.value(&arg)?),
            "--profile" => profile = Some(args.value(&arg)?),
            "--repositories" => repositories.extend(
                args.value(&arg)?
                    .split(',')
                    .map(str::trim)
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned),
            ),
            "--permission" => {
                let value = args.value(&arg)?;
                let parsed = value.split_once(':').and_then(|(name, level)| {
                    Some((name.trim().to_owned(), json::parse_access_level(level.trim())?))
                });
                let (name, level) =
                    parsed.filter(|(name, _)| !name.is_empty()).ok_or_else(|| {
                        usage(format!(
                            "--permission takes NAME:LEVEL (read, write or admin), not {value:?}"
                        ))
                    })?;
                permissions.push((name, level));
            }
            _ if http_option(&arg, args, &mut options.http)? => {}
            _ => return Err(usage(format!("unexpected argument {arg:?} for app-token"))),
        }
    }
    let app_id = app_id.ok_or_else(|| usage("app-token needs --app-id"))?;
    let installation_id = installation.ok_or_else(|| usage("app-token needs --installation"))?;
    if let Some(path) = key {
        // A key given to this command is this app's, whatever else is configured.
        options.app_keys.push(format!("{app_id}={path}"));
    }
    Ok(TokenRequest {
        connect: wit::ConnectGithubAppRequest {
            base_url,
            app_id,
            client_id,
            installation_id,
            profile,
            code: None,
            client_secret: None,
            redirect_uri: None,
        },
        narrowing: wit::TokenNarrowing { repositories, repository_ids: Vec::new(), permissions },
    })
}

/// Where `app-token` remembers which connection holds an installation, in the store it was
/// given: the connection id only, which is no secret (the token stays sealed in the
/// connection).
fn pointer_key(connect: &wit::ConnectGithubAppRequest) -> String {
    let base = connect.base_url.as_deref().unwrap_or("https://github.com").trim();
    let digest = Sha256::digest(format!(
        "{}\n{}\n{}",
        base.trim_end_matches('/'),
        connect.app_id,
        connect.installation_id
    ));
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("forgelink-host/v1/app-token/{hex}")
}

fn store(plugin: &Plugin) -> Result<&dyn Storage, Failure> {
    plugin.host().storage().ok_or_else(|| Failure::Host("no store was opened".to_owned()))
}

fn storage_failure(error: std::io::Error) -> Failure {
    Failure::Host(format!("the store failed: {error}"))
}

/// `app-token`: an installation token for the app's installation, signed for with the app's
/// key. With `--storage`, the connection is kept and the next run within the hour hands out
/// the same token (the flows mint a new one only when it expires within a minute).
pub fn token(
    runtime: &Runtime,
    plugin_slot: &mut Option<Plugin>,
    options: &mut Options,
    args: &mut Args,
) -> Result<(), Failure> {
    let request = parse_token(args, options)?;
    if options.storage.is_some() && options.key_file.is_none() && !has_environment_key() {
        return Err(usage(
            "app-token with --storage needs the encryption key (--key-file PATH or FORGELINK_ENCRYPTION_KEY), so that a later run can read the stored connection",
        ));
    }
    let (plugin, temporary) = instantiate(runtime, plugin_slot, options)?;
    let pointer = pointer_key(&request.connect);
    let now = SystemClock.now();
    let remembered = store(plugin)?.get(&pointer, now).map_err(storage_failure)?;
    let remembered = remembered.and_then(|bytes| String::from_utf8(bytes).ok());

    let (mut connected, mut token) = (false, None);
    let id = match remembered {
        Some(id) => match plugin.access_token(&id)? {
            Ok(stored) => {
                token = Some(stored);
                Some(id)
            }
            // Disconnected, or its store was emptied: connect again.
            Err(error) if error.code == "connection.not_found" => None,
            Err(error) => return Err(Failure::Forgelink(Box::new(error))),
        },
        None => None,
    };
    let id = match id {
        Some(id) => id,
        None => {
            let connection = plugin
                .connect_github_app(&request.connect)?
                .map_err(|error| Failure::Forgelink(Box::new(error)))?;
            if temporary.is_none() {
                store(plugin)?
                    .set(&pointer, connection.id.as_bytes(), None, now)
                    .map_err(storage_failure)?;
            }
            connected = true;
            connection.id
        }
    };
    // A narrowed token is minted for this run; the connection's own is shared and stored.
    let narrowed =
        !request.narrowing.repositories.is_empty() || !request.narrowing.permissions.is_empty();
    let token = match token {
        Some(token) if !narrowed => Ok(token),
        _ if narrowed => plugin.installation_token(&id, &request.narrowing)?,
        _ => plugin.access_token(&id)?,
    };
    let token = token.map_err(|error| Failure::Forgelink(Box::new(error)))?;
    // Without --storage the connection lived in a temporary store, removed here; the token
    // stays valid for its hour (disconnecting would revoke it).
    drop(temporary);
    print_json(&json!({
        "token": token,
        "connectionId": id,
        "connected": connected,
        "narrowed": narrowed,
    }))
}

fn has_environment_key() -> bool {
    std::env::var_os(forgelink_host::environment::KEY_VARIABLE).is_some_and(|v| !v.is_empty())
}
