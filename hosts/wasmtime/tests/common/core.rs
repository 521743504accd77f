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
