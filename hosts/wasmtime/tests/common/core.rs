//! The component's values as the core's, so that a test can run the same input through both.

use forgelink_host::json;
use forgelink_host::wit::{self, Provider};
use serde_json::Value;

pub fn core_provider(provider: Provider) -> forgelink::Provider {
    json::provider_id(provider).parse().expect("the same provider ids")
}

pub fn core_response(response: &wit::Response) -> forgelink::HttpResponse {
    forgelink::HttpResponse {
        status: response.status,
        headers: response.headers.clone(),
        body: response.body.clone(),
    }
}

/// A request the component made, as the core's fakes take it.
pub fn core_request(request: &wit::Request) -> forgelink::HttpRequest {
    forgelink::HttpRequest {
        method: request.method.clone(),
        url: request.url.clone(),
        headers: request.headers.clone(),
        body: request.body.as_deref().map(|body| String::from_utf8_lossy(body).into_owned()),
    }
}

/// A core fake's answer, as a host's `fetch` hands it to the component.
pub fn wit_response(response: forgelink::HttpResponse) -> wit::Response {
    wit::Response { status: response.status, headers: response.headers, body: response.body }
}

pub fn core_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("the core's values serialise")
}

/// A response as a host's `fetch` would hand it to the component.
pub fn response(status: u16, headers: &[(&str, &str)], body: &str) -> wit::Response {
    wit::Response {
        status,
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body: body.as_bytes().to_vec(),
    }
}
