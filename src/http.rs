//! The values exchanged with the host's HTTP client. forgelink builds requests and reads
//! responses; the host sends them, never following redirects.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::secret::Redacted;

/// An HTTP request for the host to send as it is, without following redirects.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
pub struct HttpRequest {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body: form-encoded or JSON text, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[cfg_attr(feature = "typescript", ts(optional))]
    pub body: Option<String>,
}

impl HttpRequest {
    pub(crate) fn new(method: &str, url: impl Into<String>) -> Self {
        HttpRequest { method: method.to_owned(), url: url.into(), headers: Vec::new(), body: None }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn form(self, fields: &[(&str, &str)]) -> Self {
        let body =
            url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let mut request = self.header("Content-Type", "application/x-www-form-urlencoded");
        request.body = Some(body);
        request
    }

    pub(crate) fn json(self, body: &serde_json::Value) -> Self {
        let mut request = self.header("Content-Type", "application/json");
        request.body = Some(body.to_string());
        request
    }

    /// The first value of a header, by case-insensitive name.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// What the host's HTTP client received.
///
/// `Debug` redacts the values of credential headers and the body (a token endpoint's answer
/// carries the tokens), printing only the body's length.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, in order, names in any case.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    #[serde(default)]
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub(crate) fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Redacts the values of credential headers and the whole body (which carries client secrets,
/// codes, refresh tokens and webhook secrets), printing only the body's length.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &Headers(&self.headers))
            .field("body", &self.body.as_ref().map(|body| RedactedBody(body.len())))
            .finish()
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &Headers(&self.headers))
            .field("body", &RedactedBody(self.body.len()))
            .finish()
    }
}

/// Headers whose values are credentials, in any case: the `Authorization` forgelink sends, and
/// what a host, a proxy or a provider may add (GitLab's `Private-Token` for personal tokens,
/// its webhooks' `X-Gitlab-Token`, session cookies).
const CREDENTIAL_HEADERS: &[&str] = &[
    "Authorization",
    "Proxy-Authorization",
    "Private-Token",
    "Cookie",
    "Set-Cookie",
    "X-Gitlab-Token",
];

/// A header list whose credential values print as `[redacted]`.
struct Headers<'a>(&'a [(String, String)]);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let credential =
            |name: &str| CREDENTIAL_HEADERS.iter().any(|c| c.eq_ignore_ascii_case(name));
        f.debug_list()
            .entries(self.0.iter().map(|(name, value)| {
                let value: &dyn fmt::Debug =
                    if credential(name.trim()) { &Redacted } else { value };
                (name, value)
            }))
            .finish()
    }
}

/// A body printed as its length alone.
struct RedactedBody(usize);

impl fmt::Debug for RedactedBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} ({} bytes)", Redacted, self.0)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
}

/// HTTP Basic credentials (RFC 7617).
pub(crate) fn basic_auth(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}
