#![no_main]
//! Token endpoint and API responses: status, a Date header and the body, which is the
//! fuzzer's bytes or (first byte odd) a JSON or form body the shared generators make from them.

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/inputs.rs"]
mod inputs;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]) % 600;
    let response = forgelink::HttpResponse {
        status,
        headers: vec![
            ("Date".into(), String::from_utf8_lossy(&data[2..data.len().min(34)]).into_owned()),
            // Parsed as a date by the GitHub current-user reader.
            ("GitHub-Authentication-Token-Expiration".into(), String::from_utf8_lossy(&data[2..data.len().min(40)]).into_owned()),
        ],
        body: if data[0] % 2 == 1 { inputs::body(&mut inputs::Rng::from_bytes(&data[2..])) } else { data[2..].to_vec() },
    };
    for provider in forgelink::Provider::ALL {
        let _ = forgelink::parse_token_response(provider, &response, i64::from(data[2]) << 24);
        let _ = forgelink::parse_api_error(provider, &response);
        let _ = forgelink::parse_current_user(provider, &response);
    }
});
