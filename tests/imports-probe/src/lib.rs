//! A module with one export, `probe(seed)`, that calls every public function of the core with
//! inputs derived from `seed`. Built for `wasm32-unknown-unknown`, it must import nothing: the
//! core does no I/O and reads no clock or randomness. Running it over many seeds also shows the
//! wasm build never traps.

use forgelink::{
    authorization_url, check_scopes, endpoints, parse_callback, profiles, scope_catalog,
    troubleshoot, validate_base_url, validate_redirect_uri, AuthorizationRequest, Code, Provider,
    ENTROPY_LEN,
};

const FRAGMENTS: &[&str] = &[
    "https://",
    "http://",
    "ssh://",
    "git@",
    "gitlab.com",
    "github.com",
    "api.",
    "bitbucket.org",
    "example.com",
    "/gitlab",
    "/api/v4",
    "/api/v3",
    "/rest/api/1.0",
    "/",
    "//",
    "?",
    "#",
    "=",
    "&",
    ":",
    "@",
    "[::1]",
    "8443",
    "xn--",
    "bücher",
    " ",
    "\u{0}",
    "%",
    "..",
    "-",
    "code=x",
    "state=s",
    "error=access_denied",
    "scope",
    "repo",
    "api",
    "read_api",
    ",",
    "REPO_READ",
];

/// A small deterministic generator (xorshift), so a seed always gives the same inputs.
struct Inputs(u32);

impl Inputs {
    fn next(&mut self) -> u32 {
        let mut x = self.0.max(1);
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    fn text(&mut self) -> String {
        let parts = self.next() % 8;
        (0..parts).map(|_| FRAGMENTS[self.next() as usize % FRAGMENTS.len()]).collect()
    }

    fn provider(&mut self) -> Provider {
        Provider::ALL[self.next() as usize % Provider::ALL.len()]
    }
}

/// Calls every public function once with inputs derived from `seed`; returns how many of the
/// calls succeeded, so that the work cannot be optimised away.
#[no_mangle]
pub extern "C" fn probe(seed: u32) -> u32 {
    let mut inputs = Inputs(seed);
    let mut succeeded = 0;
    let provider = inputs.provider();
    succeeded += u32::from(validate_base_url(provider, &inputs.text()).ok);
    succeeded += u32::from(endpoints(provider, Some(&inputs.text())).is_ok());
    succeeded += u32::from(forgelink::settings_pages(provider, Some(&inputs.text())).is_ok());
    succeeded +=
        u32::from(validate_redirect_uri(provider, &inputs.text(), &inputs.text()).is_empty());
    succeeded += u32::from(!scope_catalog(provider).is_empty());
    succeeded += u32::from(check_scopes(provider, &inputs.text(), &[&inputs.text()]).is_ok());
    succeeded += u32::from(!profiles().is_empty());
    let mut request = AuthorizationRequest::new(provider, inputs.text(), inputs.text());
    request.base_url = Some(inputs.text());
    request.scopes = Some(vec![inputs.text()]);
    request.root_namespace_id = inputs.next().is_multiple_of(2).then(|| inputs.next().to_string());
    let entropy: Vec<u8> = (0..ENTROPY_LEN).map(|_| inputs.next() as u8).collect();
    succeeded += u32::from(authorization_url(&request, &entropy).is_ok());
    succeeded += u32::from(parse_callback(&inputs.text(), &inputs.text()).is_ok());
    let response = forgelink::HttpResponse {
        status: 200 + (inputs.next() % 400) as u16,
        headers: vec![("Date".into(), inputs.text())],
        body: inputs.text().into_bytes(),
    };
    succeeded += u32::from(forgelink::parse_token_response(provider, &response, 0).is_ok());
    succeeded += u32::from(forgelink::parse_api_error(provider, &response).status > 0);
    succeeded += u32::from(forgelink::detect_token(&inputs.text()).provider.is_some());
    let (token, prefix) = (inputs.text(), inputs.text());
    succeeded +=
        u32::from(forgelink::detect_token_with_prefix(&token, Some(&prefix)).provider.is_some());
    let headers = vec![
        ("X-GitHub-Event".to_owned(), inputs.text()),
        ("X-Hub-Signature-256".to_owned(), inputs.text()),
    ];
    let body = inputs.text().into_bytes();
    let secrets = [forgelink::WebhookSecret::new(inputs.text())];
    let options = forgelink::VerifyOptions::default();
    succeeded += u32::from(forgelink::verify_webhook(&headers, &body, &secrets, &options).is_ok());
    succeeded += u32::from(forgelink::parse_webhook(&headers, &body).is_ok());
    let code = Code::ALL[inputs.next() as usize % Code::ALL.len()];
    succeeded += u32::from(!troubleshoot(code, Some(provider)).steps.is_empty());
    succeeded
}
