//! What the native and the component webhook benchmarks share: the corpus `benches/run.mjs`
//! writes, and the same timing as the Node rows (a warm-up, then the median of seven windows).

use std::time::{Duration, Instant};

/// One delivery as received: header pairs and the raw body.
pub struct Delivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The arguments after the program name, without the `--bench` that `cargo bench` adds: the
/// corpus path and the secret its deliveries are signed with.
pub fn arguments() -> Result<(String, String), String> {
    let arguments: Vec<String> =
        std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    match <[String; 2]>::try_from(arguments) {
        Ok([path, secret]) => Ok((path, secret)),
        Err(_) => Err("usage: webhooks CORPUS.json SECRET".into()),
    }
}

/// Reads `[{ "headers": [[name, value], ...], "body": "..." }, ...]`.
pub fn corpus(path: &str) -> Result<Vec<Delivery>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let entries = value.as_array().ok_or("the corpus is a JSON array")?;
    entries
        .iter()
        .map(|entry| {
            let headers = entry["headers"]
                .as_array()
                .ok_or("each delivery has headers")?
                .iter()
                .filter_map(|pair| {
                    Some((pair[0].as_str()?.to_owned(), pair[1].as_str()?.to_owned()))
                })
                .collect();
            let body = entry["body"].as_str().ok_or("each delivery has a body")?;
            Ok(Delivery { headers, body: body.as_bytes().to_vec() })
        })
        .collect()
}

/// Passes per second: after a 300 ms warm-up, the median of seven windows of 400 ms.
pub fn passes_per_second(mut pass: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut window = |length: Duration| {
        let start = Instant::now();
        let mut passes = 0u32;
        while start.elapsed() < length {
            pass()?;
            passes += 1;
        }
        Ok::<f64, String>(f64::from(passes) / start.elapsed().as_secs_f64())
    };
    window(Duration::from_millis(300))?;
    let mut samples =
        (0..7).map(|_| window(Duration::from_millis(400))).collect::<Result<Vec<f64>, String>>()?;
    samples.sort_by(f64::total_cmp);
    Ok(samples[samples.len() / 2])
}
