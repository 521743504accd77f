//! How the pure functions of `forgelink/flows` take their arguments: all of them in one JSON
//! object, the JavaScript parameters by name, read by serde (unknown fields refused, the field
//! at fault named), and a response's body apart, as bytes, which JSON would have to encode.

use forgelink::{endpoints, Endpoints, Error, HttpResponse, Provider};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{envelope, provider};

/// The export's answer to `arguments`: `answer` given them, read, or the `input.invalid`
/// envelope naming the field at fault.
pub(crate) fn answer<T: DeserializeOwned, R: Serialize>(
    arguments: &str,
    answer: impl FnOnce(T) -> Result<R, Error>,
) -> String {
    match crate::flows::from_json("", arguments) {
        Ok(arguments) => envelope(answer(arguments)),
        Err(invalid) => invalid,
    }
}

/// A provider by its id, read as a string and parsed apart so that an unknown one keeps its own
/// code (`provider.unknown`) rather than serde's `input.invalid`.
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct ProviderId(String);

impl ProviderId {
    pub(crate) fn parse(&self) -> Result<Provider, Error> {
        provider(&self.0)
    }
}

/// The arguments of a function of a provider alone: `(provider)`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OfProvider {
    pub(crate) provider: ProviderId,
}

/// `{ provider, baseUrl? }`: one deployment of a provider.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Instance {
    provider: ProviderId,
    base_url: Option<String>,
}

impl Instance {
    pub(crate) fn endpoints(&self) -> Result<Endpoints, Error> {
        endpoints(self.provider.parse()?, self.base_url.as_deref())
    }
}

/// A response's status and headers (`[[name, value], ...]`); its body crosses apart.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResponseHead {
    #[serde(deserialize_with = "status_code")]
    status: u16,
    #[serde(default)]
    headers: Vec<(String, String)>,
}

impl ResponseHead {
    pub(crate) fn with_body(self, body: &[u8]) -> HttpResponse {
        HttpResponse { status: self.status, headers: self.headers, body: body.to_vec() }
    }
}

/// HTTP status codes have three digits.
fn status_code<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u16, D::Error> {
    let status = u16::deserialize(deserializer)?;
    if status > 999 {
        return Err(D::Error::custom(format_args!("{status} is not an HTTP status code")));
    }
    Ok(status)
}
