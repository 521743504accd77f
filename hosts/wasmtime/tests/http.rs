//! The `http` import against servers on 127.0.0.1 started by each test.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use forgelink_host::http::{HttpClient, HttpConfig};
use forgelink_host::wit::{FetchError, Request};

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
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let request = read_request(&mut stream);
        stream.write_all(&response).expect("write");
        request
    });
    (address, handle)
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

#[test]
fn a_refused_connection_is_a_connection_error() {
    let address = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let result = client(common::test_http_config()).fetch(get(format!("http://{address}/")));
    assert!(matches!(result, Err(FetchError::Connection(_))), "{result:?}");
}

#[test]
fn a_server_that_does_not_speak_tls_is_a_tls_error() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    let server = thread::spawn(move || {
        // Answer the ClientHello with plain HTTP, as a server on the wrong port would.
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set timeout");
        let _ = stream.read(&mut [0; 1024]);
        let _ = stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let result = client(common::test_http_config()).fetch(get(format!("https://{address}/")));
    assert!(matches!(result, Err(FetchError::Tls(_))), "{result:?}");
    server.join().expect("server");
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
    assert!(matches!(result, Err(FetchError::Other(_))), "{result:?}");
    let _ = server.join();
}
