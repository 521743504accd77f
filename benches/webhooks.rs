//! `make bench`'s native row: verify plus parse of the corpus of signed deliveries that
//! `benches/run.mjs` writes, natively in Rust. Prints one JSON line.
//!
//! ```text
//! cargo bench --bench webhooks -- CORPUS.json SECRET
//! ```

#[path = "support/measure.rs"]
mod measure;

use forgelink::{parse_webhook, verify_webhook, VerifyOptions, WebhookSecret};

fn main() -> Result<(), String> {
    let (path, secret) = measure::arguments()?;
    let deliveries = measure::corpus(&path)?;
    let secrets = [WebhookSecret::new(secret)];
    let options = VerifyOptions::default();
    let mut kinds = 0usize;
    let rate = measure::passes_per_second(|| {
        for d in &deliveries {
            verify_webhook(&d.headers, &d.body, &secrets, &options).map_err(|e| e.to_string())?;
            let event = parse_webhook(&d.headers, &d.body).map_err(|e| e.to_string())?;
            kinds += event.event.len();
        }
        Ok(())
    })?;
    println!("{{\"passesPerSecond\":{rate},\"checksum\":{kinds}}}");
    Ok(())
}
