#![no_main]
//! OAuth callback URLs.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let cut = text.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    let (url, state) = text.split_at(cut);
    if let Err(error) = forgelink::parse_callback(url, state) {
        assert!(forgelink::Code::ALL.contains(&error.code));
    }
});
