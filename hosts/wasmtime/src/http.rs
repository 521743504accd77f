//! The `forgelink:connect/http` import: a blocking HTTP client that never follows redirects.
//!
//! forgelink decides what a redirect means (a token must never reach a host it was not issued
//! for), so a 3xx comes back to the component as an ordinary response. Every request is bounded
//! by a connect timeout and an overall timeout, and every body by a size limit, so that a slow
//! or hostile server cannot hold the plugin forever or exhaust the host's memory.

use std::io;
use std::time::Duration;

use ureq::http;

use crate::wit::{FetchError, Request, Response};

/// How the host performs requests.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The longest time to resolve the host and open the connection, TLS included.
    pub connect_timeout: Duration,
    /// The longest time for the whole exchange, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// The largest response body accepted; a larger one fails with `fetch-error.other`.
    pub max_body_bytes: u64,
    /// The `User-Agent` sent when the request has none (GitHub's API refuses requests
    /// without one).
    pub user_agent: String,
    /// The proxy to use.
    pub proxy: ProxySetting,
}

/// Where requests go through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxySetting {
    /// Read `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` from the environment, as
    /// other command-line tools do.
    FromEnvironment,
    /// Connect directly.
    Direct,
    /// Use this proxy URL, such as `http://proxy.example.com:3128`.
    Url(String),
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: 16 * 1024 * 1024,
            user_agent: concat!("forgelink-host/", env!("CARGO_PKG_VERSION")).to_owned(),
            proxy: ProxySetting::FromEnvironment,
        }
    }
}

/// What the `http` import needs: send a request as it is, without following redirects.
///
/// [`HttpClient`] is the real one. Any `Fn(Request) -> Result<Response, FetchError>` is one
/// too, which lets tests answer for a provider without a server.
pub trait Fetch: Send + Sync {
    /// Sends `request` and returns the response, whatever its status.
    fn fetch(&self, request: Request) -> Result<Response, FetchError>;
}

impl<F> Fetch for F
where
    F: Fn(Request) -> Result<Response, FetchError> + Send + Sync,
{
    fn fetch(&self, request: Request) -> Result<Response, FetchError> {
        self(request)
    }
}

impl Fetch for HttpClient {
    fn fetch(&self, request: Request) -> Result<Response, FetchError> {
        HttpClient::fetch(self, request)
    }
}

/// A blocking HTTP client configured by [`HttpConfig`]; cheap to clone, connections are pooled.
#[derive(Clone, Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
    max_body_bytes: u64,
}

impl HttpClient {
    /// A client with `config`. Fails only when the proxy URL cannot be read.
    pub fn new(config: &HttpConfig) -> Result<Self, String> {
        let proxy = match &config.proxy {
            ProxySetting::FromEnvironment => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(url) => {
                Some(ureq::Proxy::new(url).map_err(|error| format!("invalid proxy URL: {error}"))?)
            }
        };
        let agent = ureq::Agent::config_builder()
            // Zero means "return the 3xx as it is", never a too-many-redirects error.
            .max_redirects(0)
            // 4xx and 5xx are answers forgelink reads (401 means "token expired"), not failures.
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .user_agent(config.user_agent.as_str())
            .proxy(proxy)
            .build()
            .new_agent();
        Ok(HttpClient { agent, max_body_bytes: config.max_body_bytes })
    }

    /// Sends `request` and returns the response, whatever its status, without following a
    /// redirect.
    pub fn fetch(&self, request: Request) -> Result<Response, FetchError> {
        let method = http::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| FetchError::Other(format!("invalid method {:?}", request.method)))?;
        let uri: http::Uri = request
            .url
            .parse()
            .map_err(|error| FetchError::Other(format!("invalid URL: {error}")))?;
        let mut builder = http::Request::builder().method(method).uri(uri);
        for (name, value) in &request.headers {
            let name = http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| FetchError::Other(format!("invalid header name {name:?}")))?;
            // Bytes, not `from_str`: a value is sent as given, UTF-8 included; only line breaks
            // and other control characters, which would split the header, are refused.
            let value = http::HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| FetchError::Other(format!("invalid value for header {name}")))?;
            builder = builder.header(name, value);
        }
        let result = match request.body {
            Some(body) => builder.body(body).map(|request| self.agent.run(request)),
            None => builder.body(()).map(|request| self.agent.run(request)),
        };
        let mut response = result
            .map_err(|error| FetchError::Other(format!("invalid request: {error}")))?
            .map_err(fetch_error)?;

        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_bytes)
            .read_to_vec()
            .map_err(fetch_error)?;
        Ok(Response { status, headers, body })
    }
}

/// Sorts the client's failures into the WIT cases, which forgelink turns into
/// `network.unreachable`, `tls.untrusted_certificate` and so on.
fn fetch_error(error: ureq::Error) -> FetchError {
    match error {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => FetchError::Tls(error.to_string()),
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_) => FetchError::Connection(error.to_string()),
        ureq::Error::Io(io_error) => io_fetch_error(io_error),
        ureq::Error::BodyExceedsLimit(limit) => {
            FetchError::Other(format!("the response body is larger than {limit} bytes"))
        }
        other => FetchError::Other(other.to_string()),
    }
}

fn io_fetch_error(error: io::Error) -> FetchError {
    // rustls reports certificate and handshake failures through the I/O layer.
    if error.get_ref().is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some()) {
        return FetchError::Tls(error.to_string());
    }
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::Timeout,
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::NotConnected
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::HostUnreachable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::NetworkDown => FetchError::Connection(error.to_string()),
        _ => FetchError::Other(error.to_string()),
    }
}
