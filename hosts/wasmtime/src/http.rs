//! The `forgelink:connect/http` import: a blocking HTTP client that never follows redirects.
//!
//! forgelink decides what a redirect means (a token must never reach a host it was not issued
//! for), so a 3xx comes back to the component as an ordinary response. Every request is bounded
//! by a connect timeout and an overall timeout, and every body by a size limit, so that a slow
//! or hostile server cannot hold the plugin forever or exhaust the host's memory.
//!
//! Base URLs are typed by the people who connect accounts, so the client also applies an
//! address policy: it refuses loopback, link-local, cloud metadata, private, multicast and
//! broadcast destinations (see [`blocked_range`]) and plain http beyond this machine, unless
//! [`HttpConfig`] allows them. Addresses are checked where the connection is made: the
//! client's resolver looks the name up, vets every address it got, and hands the connector
//! only vetted ones, so a name that resolves to a public address for a check and to
//! `127.0.0.1` for the connection (DNS rebinding) cannot slip through.

mod policy;

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use ureq::http::{self, Uri};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{time, DefaultConnector, NextTimeout};

pub use policy::{blocked_range, is_loopback, BlockedRange};

use crate::wit::{FetchError, Request, Response};

/// How the host performs requests.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The longest time to resolve the host and open the connection, TLS included.
    pub connect_timeout: Duration,
    /// The longest time for the whole exchange, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// The largest response body accepted, in bytes; a larger one fails with
    /// `fetch-error.too-large`. 10 MiB by default: far above any answer forgelink reads, far
    /// below what would strain the host's memory.
    pub max_body_bytes: u64,
    /// Connect to loopback, link-local, cloud metadata, private, multicast and broadcast
    /// addresses too (see [`blocked_range`]). Off by default: a typed base URL must not reach
    /// the services inside the product's own network. Turn it on for an instance that really
    /// lives on a private network, such as an on-premises GitLab.
    pub allow_private_networks: bool,
    /// Send requests over plain `http://` to machines other than this one. Off by default:
    /// tokens and authorization codes would cross the network in clear text. Plain http to
    /// loopback (`localhost`, `127.0.0.1`, `[::1]`) is always allowed by this setting, though
    /// the address policy still refuses loopback unless `allow_private_networks` is on.
    pub allow_insecure_http: bool,
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

/// The default cap on response bodies: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            allow_private_networks: false,
            allow_insecure_http: false,
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
    policy: Policy,
    max_body_bytes: u64,
    connect_timeout: Duration,
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
        let agent_config = ureq::Agent::config_builder()
            // Zero means "return the 3xx as it is", never a too-many-redirects error.
            .max_redirects(0)
            // 4xx and 5xx are answers forgelink reads (401 means "token expired"), not failures.
            .http_status_as_error(false)
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(config.timeout))
            .user_agent(config.user_agent.as_str())
            .proxy(proxy)
            .build();
        let policy = Policy {
            allow_private_networks: config.allow_private_networks,
            allow_insecure_http: config.allow_insecure_http,
        };
        let resolver = PolicyResolver { policy, inner: DefaultResolver::default() };
        let agent = ureq::Agent::with_parts(agent_config, DefaultConnector::default(), resolver);
        Ok(HttpClient {
            agent,
            policy,
            max_body_bytes: config.max_body_bytes,
            connect_timeout: config.connect_timeout,
        })
    }

    /// Sends `request` and returns the response, whatever its status, without following a
    /// redirect.
    pub fn fetch(&self, request: Request) -> Result<Response, FetchError> {
        let method = http::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| FetchError::Other(format!("invalid method {:?}", request.method)))?;
        let uri: Uri = request
            .url
            .parse()
            .map_err(|error| FetchError::Other(format!("invalid URL: {error}")))?;
        self.policy.check_url(&uri).map_err(Refusal::into_fetch_error)?;
        self.check_proxied(&uri)?;
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

    /// Applies the address policy to a request that goes through a proxy, as far as this side
    /// of the proxy can.
    ///
    /// A CONNECT proxy is handed the target's name and resolves it itself, so the resolver
    /// below never sees the target's addresses. Sending the proxy a resolved address instead
    /// would pin the connection, but it breaks the proxies that filter by name and the networks
    /// where only the proxy can resolve public names. So the name is resolved here too and every
    /// address checked: a name that resolves to a refused address here is refused. What this
    /// cannot catch is a name that does not resolve here (it is passed on, and the proxy's own
    /// rules decide) or one that resolves differently for the proxy a moment later; the proxy's
    /// access rules are the defence there.
    fn check_proxied(&self, uri: &Uri) -> Result<(), FetchError> {
        let config = self.agent.config();
        let Some(proxy) = config.proxy() else {
            return Ok(());
        };
        // A NO_PROXY destination is connected to directly, through the resolver, which checks
        // every address. The proxy's own URI is the exception: the resolver lets it through as
        // the operator's choice, so a request aimed at it is checked here instead.
        if proxy.is_no_proxy(uri) && uri != proxy.uri() {
            return Ok(());
        }
        if self.policy.allows_everything() {
            return Ok(());
        }
        let timeout = NextTimeout {
            after: time::Duration::Exact(self.connect_timeout),
            reason: ureq::Timeout::Resolve,
            ..NextTimeout::default()
        };
        match DefaultResolver::default().resolve(uri, config, timeout) {
            Ok(addrs) => {
                self.policy.check_addresses(uri, &addrs).map_err(Refusal::into_fetch_error)
            }
            // Left to the proxy, which may well know names this machine cannot resolve.
            Err(_) => Ok(()),
        }
    }
}

/// What [`HttpConfig`] allows beyond the defaults.
#[derive(Clone, Copy, Debug)]
struct Policy {
    allow_private_networks: bool,
    allow_insecure_http: bool,
}

/// A destination the policy refused; carried through ureq as `ureq::Error::Other` and turned
/// back into the WIT case by [`fetch_error`].
#[derive(Debug)]
enum Refusal {
    Blocked(String),
    InsecureHttp(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Blocked(message) | Refusal::InsecureHttp(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Refusal {}

impl Refusal {
    fn into_fetch_error(self) -> FetchError {
        match self {
            Refusal::Blocked(message) => FetchError::Blocked(message),
            Refusal::InsecureHttp(message) => FetchError::InsecureHttp(message),
        }
    }
}

impl Policy {
    fn allows_everything(&self) -> bool {
        self.allow_private_networks && self.allow_insecure_http
    }

    fn plain_http(uri: &Uri) -> bool {
        // Schemes are case-insensitive (RFC 3986): `HTTP://` is plain http too.
        uri.scheme_str().is_some_and(|scheme| scheme.eq_ignore_ascii_case("http"))
    }

    /// What can be decided from the URL alone, before any lookup: plain http must name this
    /// machine. Refusing here means not even a DNS query leaves for such a name.
    fn check_url(&self, uri: &Uri) -> Result<(), Refusal> {
        if self.allow_insecure_http || !Self::plain_http(uri) {
            return Ok(());
        }
        let host = uri.host().unwrap_or_default();
        if names_this_machine(host) {
            return Ok(());
        }
        Err(Refusal::InsecureHttp(format!(
            "http://{host} is not this machine, and plain http would carry credentials in clear text"
        )))
    }

    /// Every address a name resolved to, before any is connected to. One refused address
    /// refuses them all: a name that mixes public and internal addresses is an attempt to
    /// reach the internal one on some connection.
    fn check_addresses(&self, uri: &Uri, addrs: &[SocketAddr]) -> Result<(), Refusal> {
        let host = uri.host().unwrap_or_default();
        let literal = unbracketed(host).parse::<IpAddr>().ok();
        // "10.0.0.5 is" for a literal, "gitlab.internal resolves to 10.0.0.5," for a name: the
        // operator sees which address was refused, and why a harmless-looking name was.
        let subject = |ip: IpAddr| match literal {
            Some(_) => format!("{ip} is"),
            None => format!("{host} resolves to {ip},"),
        };
        for addr in addrs {
            let ip = addr.ip();
            if !self.allow_private_networks {
                if let Some(range) = blocked_range(ip) {
                    let article = if range == BlockedRange::Unspecified { "an" } else { "a" };
                    return Err(Refusal::Blocked(format!(
                        "{} {article} {range} address, which this host reaches only when private networks are allowed",
                        subject(ip)
                    )));
                }
            }
            // `localhost` passed the URL check by its name; it must also be this machine by
            // the address it resolved to.
            if !self.allow_insecure_http && Self::plain_http(uri) && !is_loopback(ip) {
                return Err(Refusal::InsecureHttp(format!(
                    "{} not this machine, and plain http would carry credentials in clear text",
                    subject(ip)
                )));
            }
        }
        Ok(())
    }
}

/// `localhost` and its subdomains (reserved for loopback by RFC 6761), or a loopback literal.
fn names_this_machine(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || unbracketed(host).parse::<IpAddr>().is_ok_and(is_loopback)
}

/// An IPv6 literal without the brackets a URL puts around it.
fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')).unwrap_or(host)
}

/// The resolver of every connection the client makes: the system's lookup, then the address
/// policy on what it returned. ureq connects only to the addresses returned here, so what was
/// checked is what is connected to.
#[derive(Debug)]
struct PolicyResolver {
    policy: Policy,
    inner: DefaultResolver,
}

impl Resolver for PolicyResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = self.inner.resolve(uri, config, timeout).map_err(|error| match error {
            // The system's lookup failing is the only I/O of resolving: kept apart from the
            // connection's own I/O errors, so that it reaches forgelink as what it is.
            ureq::Error::Io(cause) => ureq::Error::Other(Box::new(Unresolved {
                name: uri.host().unwrap_or_default().to_owned(),
                cause,
            })),
            other => other,
        })?;
        // The proxy is the operator's choice, often on the private network on purpose; ureq
        // resolves it through this same resolver.
        if config.proxy().is_some_and(|proxy| proxy.uri() == uri) {
            return Ok(addrs);
        }
        self.policy
            .check_addresses(uri, &addrs)
            .map_err(|refusal| ureq::Error::Other(Box::new(refusal)))?;
        Ok(addrs)
    }
}

/// A name the system's lookup could not resolve; carried through ureq as `ureq::Error::Other`
/// and turned into `fetch-error.name-not-resolved` by [`fetch_error`].
#[derive(Debug)]
struct Unresolved {
    name: String,
    cause: io::Error,
}

impl fmt::Display for Unresolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} does not resolve: {}", self.name, self.cause)
    }
}

impl std::error::Error for Unresolved {}

/// Sorts the client's failures into the WIT cases, which forgelink turns into
/// `network.unreachable`, `network.connection_refused`, `tls.untrusted_certificate` and so on.
fn fetch_error(error: ureq::Error) -> FetchError {
    match error {
        ureq::Error::Timeout(_) => FetchError::Timeout,
        ureq::Error::Rustls(ref tls) => tls_fetch_error(tls, error.to_string()),
        ureq::Error::Tls(_) | ureq::Error::Pem(_) | ureq::Error::TlsRequired => {
            FetchError::Tls(error.to_string())
        }
        ureq::Error::HostNotFound => FetchError::NameNotResolved(error.to_string()),
        ureq::Error::ConnectionFailed | ureq::Error::ConnectProxyFailed(_) => {
            FetchError::Connection(error.to_string())
        }
        ureq::Error::Io(io_error) => io_fetch_error(io_error),
        ureq::Error::BodyExceedsLimit(limit) => FetchError::TooLarge(limit),
        ureq::Error::Other(inner) => match inner.downcast::<Refusal>() {
            Ok(refusal) => refusal.into_fetch_error(),
            Err(inner) => match inner.downcast::<Unresolved>() {
                Ok(unresolved) => FetchError::NameNotResolved(unresolved.to_string()),
                Err(inner) => FetchError::Other(inner.to_string()),
            },
        },
        other => FetchError::Other(other.to_string()),
    }
}

/// A TLS failure: a plain HTTP answer, or anything else (an untrusted certificate, most often).
fn tls_fetch_error(error: &rustls::Error, message: String) -> FetchError {
    // An answer in plain HTTP ("HTTP/1.1 400 ...") begins with a byte that is no TLS record
    // type: rustls stops at the first record with an invalid content type, where OpenSSL
    // says "wrong version number".
    if matches!(error, rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) {
        FetchError::PlainHttpOnHttps(message)
    } else {
        FetchError::Tls(message)
    }
}

fn io_fetch_error(error: io::Error) -> FetchError {
    // rustls reports certificate and handshake failures through the I/O layer.
    if let Some(tls) = error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
        return tls_fetch_error(tls, error.to_string());
    }
    match error.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => FetchError::Timeout,
        io::ErrorKind::ConnectionRefused => FetchError::ConnectionRefused(error.to_string()),
        io::ErrorKind::ConnectionReset
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

#[cfg(test)]
mod tests {
    use super::*;

    fn case(error: &FetchError) -> &'static str {
        match error {
            FetchError::Timeout => "timeout",
            FetchError::Tls(_) => "tls",
            FetchError::PlainHttpOnHttps(_) => "plain-http-on-https",
            FetchError::NameNotResolved(_) => "name-not-resolved",
            FetchError::ConnectionRefused(_) => "connection-refused",
            FetchError::Connection(_) => "connection",
            FetchError::Blocked(_) => "blocked",
            FetchError::InsecureHttp(_) => "insecure-http",
            FetchError::TooLarge(_) => "too-large",
            FetchError::Other(_) => "other",
        }
    }

    #[test]
    fn failures_are_sorted_by_cause() {
        let plain = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let untrusted = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let unresolved = Unresolved {
            name: "gitlab.example.invalid".into(),
            cause: io::Error::other("failed to lookup address information"),
        };
        let cases = [
            (ureq::Error::Rustls(plain.clone()), "plain-http-on-https"),
            (ureq::Error::Io(io::Error::other(plain)), "plain-http-on-https"),
            (ureq::Error::Rustls(untrusted.clone()), "tls"),
            (ureq::Error::Io(io::Error::other(untrusted)), "tls"),
            (ureq::Error::Io(io::ErrorKind::ConnectionRefused.into()), "connection-refused"),
            (ureq::Error::Io(io::ErrorKind::ConnectionReset.into()), "connection"),
            (ureq::Error::HostNotFound, "name-not-resolved"),
            (ureq::Error::Other(Box::new(unresolved)), "name-not-resolved"),
            (ureq::Error::Timeout(ureq::Timeout::Connect), "timeout"),
        ];
        for (error, expected) in cases {
            let shown = format!("{error:?}");
            let sorted = fetch_error(error);
            assert_eq!(case(&sorted), expected, "{shown} became {sorted:?}");
        }
        let named = fetch_error(ureq::Error::Other(Box::new(Unresolved {
            name: "gitlab.example.invalid".into(),
            cause: io::Error::other("Name or service not known"),
        })));
        assert!(
            matches!(&named, FetchError::NameNotResolved(m) if m.contains("gitlab.example.invalid")),
            "{named:?}"
        );
    }
}
