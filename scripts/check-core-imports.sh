#!/usr/bin/env bash
# The core built for wasm32-unknown-unknown must import nothing (no I/O, clock or randomness)
# and must not trap on any input: a probe module calls every public function over many seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release --target wasm32-unknown-unknown -p forgelink-imports-probe
node --input-type=module - target/wasm32-unknown-unknown/release/forgelink_imports_probe.wasm <<'JS'
import { readFileSync } from "node:fs";
const module = new WebAssembly.Module(readFileSync(process.argv[2]));
const imports = WebAssembly.Module.imports(module);
if (imports.length > 0) {
  console.error("the core imports:", imports.map((i) => `${i.module}.${i.name}`).join(", "));
  process.exit(1);
}
const { probe } = new WebAssembly.Instance(module, {}).exports;
const seeds = 20000;
let succeeded = 0;
for (let seed = 0; seed < seeds; seed++) succeeded += probe(seed);
console.log(`core-imports: 0 imports; ${seeds} probe runs, ${succeeded} successful calls, no trap`);
JS
