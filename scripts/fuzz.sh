#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (FUZZ_SECONDS each, default 60). cargo-fuzz needs
# unstable compiler flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (about 2 minutes, once)"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for target in base_url callback token_response webhook; do
  echo "fuzz: $target for ${seconds}s"
  if ! cargo fuzz run --fuzz-dir fuzz "$target" -- -max_total_time="$seconds" -max_len=4096 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target found a failure; the input is under fuzz/artifacts/$target"
    exit 1
  fi
  grep -E "^Done" "$log" || true
done
