#![no_main]
//! OAuth callback URLs: the fuzzer's bytes as text, or (first byte odd) the callback-like URLs
//! the shared generators make from them.

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/inputs.rs"]
mod inputs;

fuzz_target!(|data: &[u8]| {
    let text = match data.split_first() {
        Some((mode, rest)) if mode % 2 == 1 => inputs::callback_like(&mut inputs::Rng::from_bytes(rest)).into(),
        _ => String::from_utf8_lossy(data),
    };
    let cut = text.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    let (url, state) = text.split_at(cut);
    if let Err(error) = forgelink::parse_callback(url, state) {
        assert!(forgelink::Code::ALL.contains(&error.code));
    }
});
