#![no_main]
//! What people paste as an instance address, and a redirect URI pair: the fuzzer's bytes as
//! text, or (first byte odd) the URL-like text the shared generators make from them.

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/inputs.rs"]
mod inputs;

fuzz_target!(|data: &[u8]| {
    let text = match data.split_first() {
        Some((mode, rest)) if mode % 2 == 1 => inputs::url_like(&mut inputs::Rng::from_bytes(rest)).into(),
        _ => String::from_utf8_lossy(data),
    };
    let middle = text.char_indices().nth(text.chars().count() / 2).map_or(text.len(), |(i, _)| i);
    let (a, b) = text.split_at(middle);
    for provider in forgelink::Provider::ALL {
        let report = forgelink::validate_base_url(provider, &text);
        assert_eq!(report.ok, report.base_url.is_some());
        if let Some(base) = report.base_url {
            // A normalised base URL is a fixed point.
            assert_eq!(forgelink::validate_base_url(provider, &base).base_url.as_deref(), Some(base.as_str()));
        }
        let _ = forgelink::validate_redirect_uri(provider, a, b);
        let _ = forgelink::parse_repository_list(&text, Some(a));
    }
});
