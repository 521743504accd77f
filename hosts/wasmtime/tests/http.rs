//! The `http` import against servers on 127.0.0.1 started by each test, and the address
//! policy that refuses those servers unless the configuration allows them.

mod common;

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use forgelink_host::http::{HttpClient, HttpConfig, ProxySetting, DEFAULT_MAX_BODY_BYTES};
use forgelink_host::storage::MemoryStore;
use forgelink_host::wit::{self, FetchError, Request};
use forgelink_host::HostState;

fn client(config: HttpConfig) -> HttpClient {
    HttpClient::new(&config).expect("valid configuration")
}

fn get(url: String) -> Request {
    Request { method: "GET".into(), url, headers: Vec::new(), body: None }
}

/// Reads one request: the head, then as many body bytes as Content-Length says.
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set timeout");
    let mut data = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|window| window == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .map_or(0, |value| value.trim().parse().expect("numeric content-length"));
            if data.len() >= end + 4 + length {
                return data;
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return data,
            Ok(read) => data.extend_from_slice(&buffer[..read]),
        }
    }
}

/// A server that answers one request with `response` and hands back what it received.
fn serve_once(response: Vec<u8>) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    serve_once_on(TcpListener::bind("127.0.0.1:0").expect("bind"), response)
}

fn serve_once_on(listener: TcpListener, response: Vec<u8>) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let address = listener.local_addr().expect("address");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let request = read_request(&mut stream);
        // A client that stops reading at its size limit closes the connection; that is not
        // the server's failure.
        let _ = stream.write_all(&response);
        request
    });
    (address, handle)
}

/// The host's defaults, except direct (a proxy from the environment must not decide these
/// tests) and quick to give up: no opt-in to private networks or plain http.
fn default_policy() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        proxy: ProxySetting::Direct,
        ..HttpConfig::default()
    }
}

fn ok_response(body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
        .into_bytes()
}

/// Fails if anything connected to `listener`: a refused destination must not be contacted.
fn assert_never_contacted(listener: &TcpListener) {
    listener.set_nonblocking(true).expect("nonblocking");
    match listener.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the refused destination was contacted: {other:?}"),
    }
}

fn blocked_message(result: Result<wit::Response, FetchError>) -> String {
    match result {
        Err(FetchError::Blocked(message)) => message,
        other => panic!("expected blocked, got {other:?}"),
    }
}

/// The address this machine reaches other machines from. Connecting a UDP socket sends
/// nothing; it only picks the route, so any routable destination will do.
fn outward_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("bind UDP");
    socket
        .connect("198.51.100.1:9")
        .expect("this test needs a network interface besides loopback, with a default route");
    socket.local_addr().expect("local address").ip()
}

#[test]
fn a_redirect_is_returned_not_followed() {
    // The redirect target records any connection; none may arrive.
    let target = TcpListener::bind("127.0.0.1:0").expect("bind");
    let target_address = target.local_addr().expect("address");
    let response = format!(
        "HTTP/1.1 302 Found\r\nLocation: http://{target_address}/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (address, server) = serve_once(response.into_bytes());

    let response = client(common::test_http_config())
        .fetch(get(format!("http://{address}/start")))
        .expect("a 302 is a response");
    assert_eq!(response.status, 302);
    let location = response.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("location"));
    assert_eq!(
        location.map(|(_, value)| value.as_str()),
        Some(format!("http://{target_address}/elsewhere").as_str())
    );
    assert!(server.join().expect("server").starts_with(b"GET /start HTTP/1.1\r\n"));

    target.set_nonblocking(true).expect("nonblocking");
    match target.accept() {
        Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the redirect was followed: {other:?}"),
    }
}

#[test]
fn requests_and_responses_pass_through_intact() {
    let body = b"{\"error\":\"bad_verification_code\"}";
    let mut response = format!(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nX-Custom: one\r\nX-Custom: two\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(body);
    let (address, server) = serve_once(response);

    let response = client(common::test_http_config())
        .fetch(Request {
            method: "POST".into(),
            url: format!("http://{address}/oauth/token?x=1"),
            headers: vec![
                ("Accept".into(), "application/json".into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: Some(b"grant_type=authorization_code&code=abc".to_vec()),
        })
        .expect("a 401 is a response");
    assert_eq!(response.status, 401);
    assert_eq!(response.body, body);
    let custom: Vec<&str> = response
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("x-custom"))
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(custom, ["one", "two"]);

    let request = String::from_utf8(server.join().expect("server")).expect("UTF-8 request");
    assert!(request.starts_with("POST /oauth/token?x=1 HTTP/1.1\r\n"), "{request}");
    assert!(request.to_ascii_lowercase().contains("\r\naccept: application/json\r\n"), "{request}");
    assert!(request.to_ascii_lowercase().contains("\r\nuser-agent: forgelink-host/"), "{request}");
    assert!(request.ends_with("\r\n\r\ngrant_type=authorization_code&code=abc"), "{request}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = mpsc::channel::<()>();
    let server = thread::spawn(move || {
        // Accept, read nothing, answer nothing, until the test is done.
        let connection = listener.accept();
        let _ = stopped.recv_timeout(Duration::from_secs(30));
        drop(connection);
    });

    let config = HttpConfig { timeout: Duration::from_millis(300), ..common::test_http_config() };
    let result = client(config).fetch(get(format!("http://{address}/slow")));
    assert!(matches!(result, Err(FetchError::Timeout)), "{result:?}");
    stop.send(()).expect("server waiting");
    server.join().expect("server");
}

/// A port nothing listens on: bound, then released.
fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address")
}

/// A plain HTTP server that answers whatever arrives, a TLS ClientHello included, with a 400,
/// as a server on an http-only port does.
fn plain_http_server() -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set timeout");
        let _ = stream.read(&mut [0; 1024]);
        let _ = stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    (address, server)
}

/// A TLS server with the self-signed certificate of the test fixtures, for one connection.
fn self_signed_server() -> (SocketAddr, JoinHandle<()>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let fixture =
        |name: &str| format!("{}/../../tests/fixtures/tls/{name}", env!("CARGO_MANIFEST_DIR"));
    let certificate = CertificateDer::from_pem_file(fixture("localhost.crt")).expect("certificate");
    let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![certificate], key)
    .expect("server configuration");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set timeout");
        let mut connection =
            rustls::ServerConnection::new(std::sync::Arc::new(config)).expect("connection");
        // The client gives up on the certificate; the handshake ends in its alert.
        while connection.is_handshaking() {
            if connection.complete_io(&mut stream).is_err() {
                break;
            }
        }
    });
    (address, server)
}

/// A name RFC 6761 guarantees does not resolve.
const UNRESOLVABLE: &str = "gitlab.forgelink-test.invalid";

#[test]
fn a_refused_connection_is_connection_refused() {
    let address = closed_port();
    for url in [format!("http://{address}/"), format!("https://{address}/")] {
        let result = client(common::test_http_config()).fetch(get(url.clone()));
        assert!(matches!(result, Err(FetchError::ConnectionRefused(_))), "{url}: {result:?}");
    }
}

#[test]
fn a_plain_http_answer_to_https_is_plain_http_on_https() {
    let (address, server) = plain_http_server();
    let result = client(common::test_http_config()).fetch(get(format!("https://{address}/")));
    assert!(matches!(result, Err(FetchError::PlainHttpOnHttps(_))), "{result:?}");
    server.join().expect("server");
}

#[test]
fn a_name_that_does_not_resolve_is_name_not_resolved() {
    for config in [default_policy(), common::test_http_config()] {
        let result = client(config).fetch(get(format!("https://{UNRESOLVABLE}/api/v4/user")));
        match result {
            Err(FetchError::NameNotResolved(message)) => {
                assert!(message.contains(UNRESOLVABLE), "{message}")
            }
            other => panic!("expected name-not-resolved, got {other:?}"),
        }
    }
}

#[test]
fn a_self_signed_certificate_is_a_tls_error() {
    let (address, server) = self_signed_server();
    let result = client(common::test_http_config()).fetch(get(format!("https://{address}/")));
    match result {
        Err(FetchError::Tls(message)) => assert!(message.contains("certificate"), "{message}"),
        other => panic!("expected tls, got {other:?}"),
    }
    server.join().expect("server");
}

#[test]
fn a_flow_names_each_network_failure_by_its_cause() {
    let state = HostState::new(client(common::test_http_config()), None)
        .with_storage(MemoryStore::new())
        .with_encryption_key(common::test_key());
    let mut plugin = common::runtime().instantiate(state).expect("the component instantiates");
    let mut connect = |base_url: String| {
        let request = wit::ConnectWithTokenRequest {
            provider: wit::Provider::Gitlab,
            base_url: Some(base_url.clone()),
            token: "glpat-xxxxxxxxxxxxxxxxxxxx".into(),
            username: None,
            profile: None,
        };
        let error = plugin.connect_with_token(&request).expect("no trap").expect_err(&base_url);
        assert_eq!(error.guidance.code, error.code);
        error
    };

    let (address, server) = plain_http_server();
    let error = connect(format!("https://{address}"));
    server.join().expect("server");
    assert_eq!(error.code, "tls.plain_http_on_https", "{error:?}");
    let advice = format!("{} {}", error.guidance.summary, error.guidance.steps.join(" "));
    assert!(advice.contains("http://") && advice.contains("port"), "{advice}");
    assert!(!advice.contains("certificate"), "{advice}");

    let error = connect(format!("http://{}", closed_port()));
    assert_eq!(error.code, "network.connection_refused", "{error:?}");

    let error = connect(format!("https://{UNRESOLVABLE}"));
    assert_eq!(error.code, "network.name_not_resolved", "{error:?}");

    let (address, server) = self_signed_server();
    let error = connect(format!("https://{address}"));
    server.join().expect("server");
    assert_eq!(error.code, "tls.untrusted_certificate", "{error:?}");
}

#[test]
fn malformed_requests_are_refused_before_sending() {
    let client = client(common::test_http_config());
    let bad_header = Request {
        headers: vec![("Bad Header\n".into(), "x".into())],
        ..get("http://127.0.0.1:9/".into())
    };
    assert!(matches!(client.fetch(bad_header), Err(FetchError::Other(_))));
    let bad_value = Request {
        headers: vec![("X-Ok".into(), "line\r\nbreak".into())],
        ..get("http://127.0.0.1:9/".into())
    };
    assert!(matches!(client.fetch(bad_value), Err(FetchError::Other(_))));
    let bad_method = Request { method: "GE T".into(), ..get("http://127.0.0.1:9/".into()) };
    assert!(matches!(client.fetch(bad_method), Err(FetchError::Other(_))));
    assert!(matches!(client.fetch(get("not a url".into())), Err(FetchError::Other(_))));
}

#[test]
fn a_body_over_the_limit_is_refused() {
    let body = vec![b'x'; 4096];
    let mut response =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len())
            .into_bytes();
    response.extend_from_slice(&body);
    let (address, server) = serve_once(response);
    let config = HttpConfig { max_body_bytes: 1024, ..common::test_http_config() };
    let result = client(config).fetch(get(format!("http://{address}/big")));
    assert!(matches!(result, Err(FetchError::TooLarge(1024))), "{result:?}");
    let _ = server.join();
}

#[test]
fn loopback_is_refused_by_default_and_reached_when_allowed() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let message =
        blocked_message(client(default_policy()).fetch(get(format!("http://{address}/"))));
    assert!(message.contains("127.0.0.1 is a loopback address"), "{message}");
    assert_never_contacted(&listener);

    listener.set_nonblocking(false).expect("blocking");
    let (_, server) = serve_once_on(listener, ok_response("here"));
    let allowed = HttpConfig { allow_private_networks: true, ..default_policy() };
    let response = client(allowed).fetch(get(format!("http://{address}/"))).expect("allowed");
    assert_eq!((response.status, response.body.as_slice()), (200, b"here".as_slice()));
    server.join().expect("server");
}

#[test]
fn localhost_is_refused_by_the_address_it_resolves_to() {
    // Not by its name: allowed, the same name reaches the server.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let url = format!("http://localhost:{port}/");
    let message = blocked_message(client(default_policy()).fetch(get(url.clone())));
    assert!(message.starts_with("localhost resolves to "), "{message}");
    assert!(message.contains("a loopback address"), "{message}");
    assert_never_contacted(&listener);

    listener.set_nonblocking(false).expect("blocking");
    let (_, server) = serve_once_on(listener, ok_response("local"));
    let allowed = HttpConfig { allow_private_networks: true, ..default_policy() };
    let response = client(allowed).fetch(get(url)).expect("allowed");
    assert_eq!(response.body, b"local");
    server.join().expect("server");
}

#[test]
fn private_and_metadata_addresses_are_refused_without_connecting() {
    // None of these is reachable from here: a connection attempt would end in a timeout or a
    // connection error, so `blocked` shows the client stopped before connecting.
    let insecure_allowed = HttpConfig { allow_insecure_http: true, ..default_policy() };
    let client = client(insecure_allowed);
    for (url, expected) in [
        ("https://10.1.2.3/api/v4/user", "10.1.2.3 is a private address"),
        ("https://192.168.0.10:8443/", "192.168.0.10 is a private address"),
        ("https://172.20.0.1/", "172.20.0.1 is a private address"),
        ("https://100.64.0.1/", "100.64.0.1 is a shared (carrier-grade NAT) address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
        ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is a cloud metadata address"),
        ("https://[fd00:ec2::254]/", "fd00:ec2::254 is a cloud metadata address"),
        ("https://[fe80::1]/", "fe80::1 is a link-local address"),
        ("https://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("https://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("https://255.255.255.255/", "255.255.255.255 is a broadcast address"),
        // Spellings the system's resolver reads as IPv4 (inet_aton): judged by the address
        // they resolve to, not by how they look.
        ("https://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),
        ("https://0x7f000001/", "0x7f000001 resolves to 127.0.0.1, a loopback address"),
        ("https://10.1/", "10.1 resolves to 10.0.0.1, a private address"),
    ] {
        let message = blocked_message(client.fetch(get(url.into())));
        assert!(message.starts_with(expected), "{url}: {message}");
    }
}

#[test]
fn ipv4_mapped_loopback_is_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    // Plain http passes the mapped form as this machine and leaves it to the address policy;
    // the deprecated IPv4-compatible form is no loopback to the network stack, so it goes over
    // https here.
    for url in [
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        format!("http://[::ffff:7f00:1]:{port}/"),
        format!("https://[::127.0.0.1]:{port}/"),
    ] {
        let message = blocked_message(client(default_policy()).fetch(get(url.clone())));
        assert!(message.contains("a loopback address"), "{url}: {message}");
    }
    assert_never_contacted(&listener);
}

#[test]
fn plain_http_beyond_this_machine_is_refused() {
    // Refused by the name, before any lookup or connection, whatever the address policy says.
    let everything_private = HttpConfig { allow_private_networks: true, ..default_policy() };
    for url in [
        "http://gitlab.example.com/api/v4/user",
        "HTTP://gitlab.example.com/",
        "http://10.0.0.5/",
        "http://[fd00::5]/",
    ] {
        match client(everything_private.clone()).fetch(get(url.into())) {
            Err(FetchError::InsecureHttp(message)) => {
                assert!(message.contains("not this machine"), "{url}: {message}");
            }
            other => panic!("{url}: expected insecure-http, got {other:?}"),
        }
    }

    // A server on this machine's outward address: refused over http, reached once allowed.
    let listener = TcpListener::bind((outward_address(), 0)).expect("bind the outward address");
    let address = listener.local_addr().expect("address");
    let url = format!("http://{address}/");
    let result = client(everything_private.clone()).fetch(get(url.clone()));
    assert!(matches!(result, Err(FetchError::InsecureHttp(_))), "{result:?}");
    assert_never_contacted(&listener);

    listener.set_nonblocking(false).expect("blocking");
    let (_, server) = serve_once_on(listener, ok_response("clear text"));
    let allowed = HttpConfig { allow_insecure_http: true, ..everything_private };
    let response = client(allowed).fetch(get(url)).expect("allowed");
    assert_eq!(response.body, b"clear text");
    server.join().expect("server");
}

/// A server that answers every connection with a `size`-byte body, with or without a
/// Content-Length, until the test is done.
fn serve_body(size: usize, with_length: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        read_request(&mut stream);
        let head = if with_length {
            format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n")
        } else {
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_owned()
        };
        // The client hangs up at its limit; the write failing then is expected.
        let _ =
            stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&vec![b'x'; size]));
    });
    address
}

#[test]
fn bodies_are_capped_at_ten_mebibytes_by_default() {
    assert_eq!(HttpConfig::default().max_body_bytes, 10 * 1024 * 1024);
    let config = HttpConfig { allow_private_networks: true, ..default_policy() };
    let client = client(config);
    const MIB: usize = 1024 * 1024;
    for with_length in [true, false] {
        let address = serve_body(11 * MIB, with_length);
        let result = client.fetch(get(format!("http://{address}/archive.zip")));
        assert!(
            matches!(result, Err(FetchError::TooLarge(DEFAULT_MAX_BODY_BYTES))),
            "with Content-Length {with_length}: {result:?}"
        );
        let address = serve_body(MIB, with_length);
        let response = client
            .fetch(get(format!("http://{address}/projects")))
            .expect("1 MiB is under the cap");
        assert_eq!(response.body.len(), MIB, "with Content-Length {with_length}");
    }
}

/// A proxy that refuses every CONNECT with 403 and reports the request lines it received.
fn refusing_proxy() -> (SocketAddr, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let (seen, heads) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let head = String::from_utf8_lossy(&read_request(&mut stream)).into_owned();
            let first = head.lines().next().unwrap_or_default().to_owned();
            let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
            if seen.send(first).is_err() {
                return;
            }
        }
    });
    (address, heads)
}

#[test]
fn through_a_proxy_the_target_is_checked_and_the_proxy_is_not() {
    let (proxy, heads) = refusing_proxy();
    let config = HttpConfig {
        // The proxy listens on loopback, which the operator chose: it is not refused.
        proxy: ProxySetting::Url(format!("http://{proxy}")),
        ..default_policy()
    };
    let client = client(config);

    // The target's name is resolved on this side too, and refused before the proxy hears of it.
    for url in ["https://localhost:8443/", "https://127.0.0.1/", "https://[::ffff:10.0.0.1]/"] {
        blocked_message(client.fetch(get(url.into())));
    }
    assert!(heads.try_recv().is_err(), "a refused target reached the proxy");

    // A public target goes to the proxy by name, for the proxy to resolve and filter.
    let result = client.fetch(get("https://140.82.112.3/api/v3/user".into()));
    assert!(matches!(result, Err(FetchError::Connection(_))), "{result:?}");
    let head = heads.recv_timeout(Duration::from_secs(5)).expect("the proxy was asked");
    assert_eq!(head, "CONNECT 140.82.112.3:443 HTTP/1.1");
}

#[test]
fn a_flow_reports_a_refused_address_as_a_coded_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let http = client(default_policy());
    let state = HostState::new(http, None)
        .with_storage(MemoryStore::new())
        .with_encryption_key(common::test_key());
    let mut plugin = common::runtime().instantiate(state).expect("the component instantiates");
    let connect = |base_url: String| wit::ConnectWithTokenRequest {
        provider: wit::Provider::Gitlab,
        base_url: Some(base_url),
        token: "glpat-xxxxxxxxxxxxxxxxxxxx".into(),
        username: None,
        profile: Some("ci-failure-analysis".into()),
    };

    let error = plugin
        .connect_with_token(&connect(format!("http://{address}")))
        .expect("no trap")
        .expect_err("loopback is refused");
    assert_eq!(error.code, "network.address_blocked");
    let detail = error.provider_detail.as_deref().unwrap_or_default();
    assert!(detail.contains("127.0.0.1 is a loopback address"), "{error:?}");
    assert!(
        error.guidance.steps.iter().any(|step| step.contains("--allow-private-networks")),
        "{:?}",
        error.guidance
    );
    assert_never_contacted(&listener);

    let error = plugin
        .connect_with_token(&connect("http://gitlab.example.com".into()))
        .expect("no trap")
        .expect_err("plain http is refused");
    assert_eq!(error.code, "network.insecure_http");
}
