//! `make bench`'s native rows: verify plus parse of the corpus of signed deliveries that
//! `benches/run.mjs` writes, natively in Rust, and the same corpus through each step alone
//! (the built-in HMAC, the verification around it, the parse, and serde_json's bare scan of
//! each body), so that a change shows where it gained or lost. Prints one JSON line.
//!
//! ```text
//! cargo bench --bench webhooks -- CORPUS.json SECRET
//! ```

#[path = "support/measure.rs"]
mod measure;

use forgelink::{
    parse_webhook, verify_webhook, BuiltinHmac, HmacAlgorithm, HmacEngine, VerifyOptions,
    WebhookSecret,
};

fn main() -> Result<(), String> {
    let (path, secret) = measure::arguments()?;
    let deliveries = measure::corpus(&path)?;
    let secrets = [WebhookSecret::new(secret.clone())];
    let options = VerifyOptions::default();
    let mut checksum = 0usize;
    let both = measure::passes_per_second(|| {
        for d in &deliveries {
            verify_webhook(&d.headers, &d.body, &secrets, &options).map_err(|e| e.to_string())?;
            let event = parse_webhook(&d.headers, &d.body).map_err(|e| e.to_string())?;
            checksum += event.event.len();
        }
        Ok(())
    })?;
    let hmac = measure::passes_per_second(|| {
        for d in &deliveries {
            let mac = BuiltinHmac.hmac(HmacAlgorithm::Sha256, secret.as_bytes(), &[&d.body]);
            checksum += usize::from(mac.ok_or("the HMAC failed")?[0]);
        }
        Ok(())
    })?;
    let verify = measure::passes_per_second(|| {
        for d in &deliveries {
            verify_webhook(&d.headers, &d.body, &secrets, &options).map_err(|e| e.to_string())?;
        }
        Ok(())
    })?;
    let parse = measure::passes_per_second(|| {
        for d in &deliveries {
            checksum += parse_webhook(&d.headers, &d.body).map_err(|e| e.to_string())?.event.len();
        }
        Ok(())
    })?;
    // serde_json passing over each body without keeping anything: the scanner `parse_webhook`
    // reads with, so the most any parse built on it could do.
    let skip = measure::passes_per_second(|| {
        for d in &deliveries {
            let _: serde::de::IgnoredAny =
                serde_json::from_slice(&d.body).map_err(|e| e.to_string())?;
        }
        Ok(())
    })?;
    println!(
        "{{\"passesPerSecond\":{both},\"hmacPassesPerSecond\":{hmac},\"verifyPassesPerSecond\":{verify},\"parsePassesPerSecond\":{parse},\"skipPassesPerSecond\":{skip},\"checksum\":{checksum}}}"
    );
    Ok(())
}
