//! The npm package's type declarations, pkg/types.d.ts, generated from the Rust types whose
//! serde output the package returns (the core's, and this crate's own): each type is written
//! once, in Rust, and the JSON and its declaration cannot drift apart.
//!
//! The test fails when the committed file differs from what the types generate;
//! `FORGELINK_WRITE_TYPES=1 cargo test -p forgelink-js --features typescript --lib typescript`
//! rewrites it.

use std::path::Path;

use forgelink::{
    detect_token, profiles, token_prefixes, AccessLevel, Account, Actor, ApiError, AppAccount,
    AppManifestForm, AppNeeds, AppPermission, AppSetup, AppWebhook, AuthorizationUrl, Callback,
    Check, CheckStatus, Code, Comment, CommentPage, CommitStatus, ConnectStarted, Connection,
    ConnectionReport, ConnectionStatus, Deployment, DeviceAuthorization, Diagnostic,
    DisconnectReport, Endpoints, EventKind, FeedbackAction, FeedbackLocation, FeedbackResult,
    FeedbackTarget, GitHubAppCredentials, Guidance, Hook, HookPage, HttpRequest, Installation, Job,
    LineDiagnostic, ManualSetup, MergeRequest, Need, PermissionNeed, PermissionTarget, Pipeline,
    PollPage, PollResource, PollResult, PollStatus, Profile, Project, ProjectPage, ProjectPoll,
    Provider, ProviderNeeds, RateLimit, Receipt, ReceiptStatus, RegistrationResult,
    RegistrationStatus, Repository, RepositoryList, RepositorySelection, Retirement, ScopeCheck,
    ScopeInfo, ScopeKind, ScopeMode, ScopeSource, ScopeStatus, SettingsPages, SetupAction,
    Severity, SignatureScheme, SkippedTarget, Status, SyncMode, TokenInfo, TokenPrefix, TokenSet,
    Verified, WebhookAccess, WebhookEvent, WebhookIdentity,
};
use ts_rs::{Config, TS};

use crate::polling::PollRequest;
use crate::webhooks::VerifiedEvent;
use crate::ErrorBody;

const HEADER: &str = "\
// Generated from forgelink's Rust types by
// `FORGELINK_WRITE_TYPES=1 cargo test -p forgelink-js --features typescript --lib typescript`.
// Do not edit: change the Rust type or its doc comment, and generate again.
";

/// Every declaration, in the order the file lists them.
fn declarations(cfg: &Config) -> Vec<String> {
    vec![
        declaration::<Provider>(cfg),
        declaration::<Deployment>(cfg),
        declaration::<Severity>(cfg),
        error_codes(cfg),
        profile_ids(),
        declaration::<Diagnostic>(cfg),
        declaration::<ScopeSource>(cfg),
        declaration::<SettingsPages>(cfg),
        declaration::<Endpoints>(cfg),
        declaration::<ScopeKind>(cfg),
        declaration::<ScopeInfo>(cfg),
        declaration::<ScopeCheck>(cfg),
        declaration::<Need>(cfg),
        declaration::<ScopeMode>(cfg),
        declaration::<ProviderNeeds>(cfg),
        token_kinds(),
        declaration::<Retirement>(cfg),
        declaration::<TokenInfo>(cfg),
        declaration::<TokenPrefix>(cfg),
        declaration::<Profile>(cfg),
        declaration::<AuthorizationUrl>(cfg),
        declaration::<Callback>(cfg),
        declaration::<Guidance>(cfg),
        declaration::<ErrorBody>(cfg),
        // The `forgelink/flows` entry.
        declaration::<HttpRequest>(cfg),
        declaration::<TokenSet>(cfg),
        declaration::<DeviceAuthorization>(cfg),
        declaration::<ApiError>(cfg),
        declaration::<ConnectStarted>(cfg),
        declaration::<Account>(cfg),
        declaration::<ScopeStatus>(cfg),
        declaration::<ConnectionStatus>(cfg),
        declaration::<Connection>(cfg),
        declaration::<CheckStatus>(cfg),
        declaration::<Check>(cfg),
        declaration::<ConnectionReport>(cfg),
        declaration::<DisconnectReport>(cfg),
        declaration::<WebhookIdentity>(cfg),
        declaration::<SignatureScheme>(cfg),
        declaration::<Verified>(cfg),
        declaration::<VerifiedEvent>(cfg),
        declaration::<EventKind>(cfg),
        declaration::<Status>(cfg),
        declaration::<Repository>(cfg),
        declaration::<Actor>(cfg),
        declaration::<MergeRequest>(cfg),
        declaration::<Pipeline>(cfg),
        declaration::<Job>(cfg),
        declaration::<CommitStatus>(cfg),
        declaration::<WebhookEvent>(cfg),
        declaration::<LineDiagnostic>(cfg),
        declaration::<RepositoryList>(cfg),
        declaration::<WebhookAccess>(cfg),
        declaration::<Hook>(cfg),
        declaration::<HookPage>(cfg),
        declaration::<Project>(cfg),
        declaration::<ProjectPage>(cfg),
        declaration::<RegistrationStatus>(cfg),
        declaration::<ManualSetup>(cfg),
        declaration::<RegistrationResult>(cfg),
        declaration::<ReceiptStatus>(cfg),
        declaration::<Receipt>(cfg),
        declaration::<SyncMode>(cfg),
        declaration::<RateLimit>(cfg),
        declaration::<PollStatus>(cfg),
        declaration::<ProjectPoll>(cfg),
        declaration::<PollResult>(cfg),
        declaration::<FeedbackTarget>(cfg),
        declaration::<FeedbackAction>(cfg),
        declaration::<SkippedTarget>(cfg),
        declaration::<FeedbackResult>(cfg),
        declaration::<PollResource>(cfg),
        declaration::<PollPage>(cfg),
        declaration::<PollRequest>(cfg),
        declaration::<FeedbackLocation>(cfg),
        declaration::<Comment>(cfg),
        declaration::<CommentPage>(cfg),
        declaration::<AccessLevel>(cfg),
        declaration::<AppAccount>(cfg),
        declaration::<RepositorySelection>(cfg),
        declaration::<Installation>(cfg),
        declaration::<AppManifestForm>(cfg),
        declaration::<SetupAction>(cfg),
        declaration::<AppSetup>(cfg),
        declaration::<PermissionNeed>(cfg),
        declaration::<AppNeeds>(cfg),
        declaration::<PermissionTarget>(cfg),
        declaration::<AppPermission>(cfg),
        declaration::<GitHubAppCredentials>(cfg),
        declaration::<AppWebhook>(cfg),
    ]
}

/// A type's declaration under its doc comment.
fn declaration<T: TS>(cfg: &Config) -> String {
    T::docs().unwrap_or_default() + &T::decl(cfg)
}

/// `ErrorCode`: every code of the Rust type, and `init.required`, the npm package's own code
/// for a WebAssembly module that is not loaded (its `errorCodes` and `troubleshoot` know it).
fn error_codes(cfg: &Config) -> String {
    format!(
        "/** Every code forgelink produces, as listed by {{@link errorCodes}}. A code's meaning \
         never changes once released; {{@link troubleshoot}} explains each. */\n\
         type ErrorCode = {} | \"init.required\";",
        Code::inline(cfg)
    )
}

/// `ProfileId`: the Rust type holds a profile's id as a string; the ids are the catalog's.
fn profile_ids() -> String {
    let ids = profiles().iter().map(|profile| profile.id);
    string_union(
        "ProfileId",
        "The identifiers of the use-case presets returned by {@link profiles}.",
        ids,
    )
}

/// `TokenKind`: the Rust type holds a token's kind as a string; the kinds are the prefix
/// tables', and `unknown` for a token that matches none.
fn token_kinds() -> String {
    let prefixed = Provider::ALL.into_iter().flat_map(token_prefixes).map(|prefix| prefix.kind);
    let unknown = detect_token("").kind;
    string_union(
        "TokenKind",
        "The kinds of token `detectToken` and `tokenPrefixes` (in `forgelink/flows`) recognise \
         by their prefix.",
        prefixed.chain([unknown]),
    )
}

/// A union of string literals, each once, in the order given.
fn string_union<'a>(name: &str, doc: &str, values: impl Iterator<Item = &'a str>) -> String {
    let mut literals: Vec<String> = Vec::new();
    for value in values {
        let literal = format!("\"{value}\"");
        if !literals.contains(&literal) {
            literals.push(literal);
        }
    }
    format!("/** {doc} */\ntype {name} = {};", literals.join(" | "))
}

fn generate() -> String {
    // u64 and i64 reach JavaScript as JSON numbers, which `JSON.parse` reads as `number`.
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(HEADER);
    for declaration in declarations(&cfg) {
        out.push('\n');
        out.push_str(&format_declaration(&javascript_links(&declaration)));
    }
    out
}

#[test]
fn the_typescript_declarations_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pkg/types.d.ts");
    let generated = generate();
    if std::env::var_os("FORGELINK_WRITE_TYPES").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "pkg/types.d.ts is not what the Rust types generate; run \
         `FORGELINK_WRITE_TYPES=1 cargo test -p forgelink-js --features typescript --lib typescript`"
    );
}

/// The doc comments' rustdoc links as JSDoc links to the same items in JavaScript: a link to
/// `Flows::receive_webhook` becomes `{@link Forgelink.receiveWebhook}`, one to `verify_webhook`
/// `{@link verifyWebhook}`, one to `WebhookEvent` `{@link WebhookEvent}`.
fn javascript_links(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("[`") {
        let Some(length) = rest[start + 2..].find("`]") else { break };
        let path = &rest[start + 2..start + 2 + length];
        out.push_str(&rest[..start]);
        out.push_str(&format!("{{@link {}}}", javascript_path(path)));
        rest = &rest[start + 2 + length + 2..];
    }
    out + rest
}

/// A Rust path as the npm package names the item.
fn javascript_path(path: &str) -> String {
    let (owner, item) = match path.rsplit_once("::") {
        Some((owner, item)) => (owner.rsplit("::").next().unwrap_or(owner), item),
        None => ("", path),
    };
    let item =
        if item.starts_with(char::is_lowercase) { camel_case(item) } else { item.to_owned() };
    match owner {
        "Flows" => format!("Forgelink.{item}"),
        "" | "crate" | "forgelink" => item,
        owner if owner.starts_with(char::is_lowercase) => item,
        owner => format!("{owner}.{item}"),
    }
}

/// `parse_github_app_setup` as npm spells it: `parseGitHubAppSetup` (a name that starts with
/// GitHub keeps it lower-case: `githubAppInstallUrl`).
fn camel_case(snake: &str) -> String {
    let mut words = snake.split('_');
    let mut out = words.next().unwrap_or_default().to_owned();
    for word in words {
        match word {
            "github" => out.push_str("GitHub"),
            word => {
                let mut chars = word.chars();
                out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// One lexical piece of a declaration as ts-rs writes it.
#[derive(Debug, PartialEq)]
enum Token {
    /// A `/** ... */` comment, as written.
    Doc(String),
    /// A string literal, quotes included.
    Str(String),
    /// An identifier or keyword.
    Word(String),
    /// Any other character.
    Punct(char),
}

/// The pieces of a declaration, without the whitespace between them.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_whitespace() {
            rest = &rest[c.len_utf8()..];
        } else if rest.starts_with("/*") {
            let end = rest.find("*/").expect("a comment ends") + 2;
            tokens.push(Token::Doc(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if c == '"' {
            let end = rest[1..]
                .char_indices()
                .scan(false, |escaped, (i, c)| {
                    let closes = c == '"' && !*escaped;
                    *escaped = c == '\\' && !*escaped;
                    Some((i, closes))
                })
                .find(|&(_, closes)| closes)
                .expect("a string ends")
                .0
                + 2;
            tokens.push(Token::Str(rest[..end].to_owned()));
            rest = &rest[end..];
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            tokens.push(Token::Word(rest[..end].to_owned()));
            rest = &rest[end..];
        } else {
            tokens.push(Token::Punct(c));
            rest = &rest[c.len_utf8()..];
        }
    }
    tokens
}

/// A doc comment re-indented: on one line when it is one line of text and fits, else a line
/// of text a line, each wrapped to fit.
fn indent_doc(doc: &str, indent: &str) -> String {
    let body = doc.trim().trim_start_matches("/**").trim_end_matches("*/");
    // ts-rs writes the text of each line after ` *`; a doc written here may have no star.
    let texts: Vec<&str> = body
        .lines()
        .map(|line| {
            let line = line.trim_start();
            let text = line.strip_prefix('*').unwrap_or(line);
            text.strip_prefix(' ').unwrap_or(text).trim_end()
        })
        .skip_while(|text| text.is_empty())
        .collect();
    let texts = &texts[..texts.iter().rposition(|text| !text.is_empty()).map_or(0, |i| i + 1)];
    if let [text] = texts {
        let line = format!("{indent}/** {text} */");
        if line.len() <= MAX_LINE {
            return line + "\n";
        }
    }
    let mut out = format!("{indent}/**\n");
    for text in texts {
        for line in wrap(text, MAX_LINE - indent.len() - 3) {
            out.push_str(format!("{indent} * {line}").trim_end());
            out.push('\n');
        }
    }
    out + indent + " */\n"
}

/// `text` in lines of at most `width` characters, broken between words.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// Whether a string literal is a key TypeScript would also take unquoted.
fn bare_key(literal: &str) -> Option<&str> {
    let key = &literal[1..literal.len() - 1];
    let mut chars = key.chars();
    let first = chars.next()?;
    ((first.is_alphabetic() || first == '_') && chars.all(|c| c.is_alphanumeric() || c == '_'))
        .then_some(key)
}

/// Lays a declaration out as a person would write it: `export`ed, one member per line,
/// indented two spaces, an object type declared as an interface.
fn format_declaration(declaration: &str) -> String {
    let tokens = tokenize(declaration);
    let mut out = String::new();
    let mut start = 0;
    // The declaration's own doc comment comes first, at column zero.
    while let Some(Token::Doc(doc)) = tokens.get(start) {
        out.push_str(&indent_doc(doc, ""));
        start += 1;
    }
    let tokens = &tokens[start..];
    // `type Name = { ... };` with nothing around the braces is an interface.
    let is_interface = matches!(
        tokens,
        [Token::Word(t), Token::Word(_), Token::Punct('='), Token::Punct('{'), .., Token::Punct('}'), Token::Punct(';')]
            if t == "type"
    ) && object_closes_at_end(&tokens[3..tokens.len() - 1]);
    if is_interface {
        let Token::Word(name) = &tokens[1] else { unreachable!() };
        out.push_str(&format!("export interface {name} "));
        out.push_str(&layout(&tokens[3..tokens.len() - 1]));
        out.push('\n');
        return out;
    }
    let one_line = format!("export {}\n", layout(tokens));
    let alternatives = split_union(&tokens[3..tokens.len() - 1]);
    let fits = one_line.trim_end().lines().count() == 1 && one_line.trim_end().len() <= MAX_LINE;
    if fits || alternatives.len() < 2 {
        return out + &one_line;
    }
    // Too long for a line: one alternative a line, as a person would lay the union out.
    out.push_str(&format!("export {}\n", layout(&tokens[..3]).trim_end()));
    for (i, alternative) in alternatives.iter().enumerate() {
        let text = layout(alternative).replace('\n', "\n    ");
        let end = if i == alternatives.len() - 1 { ";" } else { "" };
        out.push_str(&format!("  | {text}{end}\n"));
    }
    out
}

/// The longest line a declaration is laid out on before its union is broken up.
const MAX_LINE: usize = 100;

/// The alternatives of a union, split at its top-level `|`s.
fn split_union(tokens: &[Token]) -> Vec<&[Token]> {
    let mut alternatives = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('{' | '[' | '(' | '<') => depth += 1,
            Token::Punct('}' | ']' | ')' | '>') => depth -= 1,
            Token::Punct('|') if depth == 0 => {
                alternatives.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    alternatives.push(&tokens[start..]);
    alternatives
}

/// Whether the first `{` of `tokens` closes at their last token.
fn object_closes_at_end(tokens: &[Token]) -> bool {
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return i == tokens.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// The tokens written out, objects broken into one member per line.
fn layout(tokens: &[Token]) -> String {
    // What each open bracket is, so that commas break lines in objects only.
    let mut open: Vec<char> = Vec::new();
    let mut out = String::new();
    let indent = |open: &Vec<char>| "  ".repeat(open.iter().filter(|&&c| c == '{').count());
    let at_line_start = |out: &String| out.is_empty() || out.ends_with('\n');
    let mut previous: Option<&Token> = None;
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1);
        match token {
            Token::Doc(doc) => {
                if !at_line_start(&out) {
                    out.push('\n');
                }
                out.push_str(&indent_doc(doc, &indent(&open)));
            }
            Token::Punct('{') => {
                if !at_line_start(&out) && !out.ends_with(' ') {
                    out.push(' ');
                }
                open.push('{');
                if next == Some(&Token::Punct('}')) {
                    out.push('{');
                } else {
                    out.push_str("{\n");
                }
            }
            Token::Punct('}') => {
                open.pop();
                // ts-rs leaves the comma off a last member that stands alone.
                if !matches!(previous, Some(Token::Punct('{' | ','))) {
                    out.push(';');
                }
                if !at_line_start(&out) && previous != Some(&Token::Punct('{')) {
                    out.push('\n');
                }
                if at_line_start(&out) {
                    out.push_str(&indent(&open));
                }
                out.push('}');
            }
            Token::Punct(c @ ('<' | '[' | '(')) => {
                if at_line_start(&out) {
                    out.push_str(&indent(&open));
                }
                open.push(*c);
                out.push(*c);
            }
            Token::Punct(c @ ('>' | ']' | ')')) => {
                open.pop();
                out.push(*c);
            }
            Token::Punct(',') if open.last() == Some(&'{') => out.push_str(";\n"),
            Token::Punct(',') => out.push_str(", "),
            Token::Punct(':') => out.push_str(": "),
            Token::Punct(c @ ('|' | '&' | '=')) => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
                out.push(*c);
                out.push(' ');
            }
            Token::Punct('?') => out.push('?'),
            Token::Punct(c) => out.push(*c),
            Token::Str(literal) | Token::Word(literal) => {
                if at_line_start(&out) {
                    out.push_str(&indent(&open));
                } else if matches!(previous, Some(Token::Word(_) | Token::Str(_))) {
                    out.push(' ');
                }
                let is_key = open.last() == Some(&'{')
                    && matches!(next, Some(Token::Punct(':' | '?')))
                    && at_line_start_or_indent(&out);
                match (token, is_key) {
                    (Token::Str(literal), true) => {
                        out.push_str(bare_key(literal).unwrap_or(literal))
                    }
                    _ => out.push_str(literal),
                }
            }
        }
        previous = Some(token);
    }
    out
}

/// Whether `out` ends with a line's indentation and nothing else on it.
fn at_line_start_or_indent(out: &str) -> bool {
    out.rsplit('\n').next().is_some_and(|line| line.trim().is_empty())
}
