#!/usr/bin/env bash
# Builds the WebAssembly component dist/forgelink.wasm and validates it.
#
# The glue is built for wasm32-unknown-unknown, not wasm32-wasip2: Rust's standard library on
# WASI imports wasi:cli, wasi:io and wasi:filesystem, which every plugin host would then have
# to provide. Wrapped with `wasm-tools component new`, the component imports only what the
# glue calls (wasi:random/random today; forgelink:connect/http and storage once flows use them).
#
# Run from anywhere; paths are relative to the repository root. WASM_TOOLS overrides the
# wasm-tools binary.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_TOOLS_VERSION=1.263.0
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
wasm_tools=${WASM_TOOLS:-wasm-tools}

if ! "$wasm_tools" --version 2>/dev/null | grep -q "^wasm-tools $WASM_TOOLS_VERSION"; then
    if [[ -n ${WASM_TOOLS:-} ]]; then
        echo "build-component: $WASM_TOOLS is not wasm-tools $WASM_TOOLS_VERSION" >&2
        exit 1
    fi
    echo "build-component: installing wasm-tools $WASM_TOOLS_VERSION (a few minutes, once)" >&2
    cargo install wasm-tools --version "$WASM_TOOLS_VERSION" \
        --no-default-features --features component,validate,print,objdump
fi

if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
fi

# `cargo rustc` passes the flag to the final crate only: stripping the symbol names saves about
# 25 KB while the dependencies stay shared with other release builds of the workspace.
cargo rustc -p forgelink-component --release --target wasm32-unknown-unknown --lib \
    -- -C strip=symbols

core=target/wasm32-unknown-unknown/release/forgelink_component.wasm
mkdir -p dist
"$wasm_tools" component new "$core" -o dist/forgelink.wasm.tmp
"$wasm_tools" validate --features component-model dist/forgelink.wasm.tmp
mv dist/forgelink.wasm.tmp dist/forgelink.wasm

imports=$("$wasm_tools" component wit dist/forgelink.wasm | sed -n 's/^ *import \(.*\);$/\1/p')
# A plugin host provides forgelink's own interfaces and wasi:random, nothing else.
unexpected=$(grep -Ev '^(forgelink:connect/(http|storage)@|wasi:random/random@)' <<<"$imports" || true)
if [[ -n $unexpected ]]; then
    echo "build-component: unexpected imports in dist/forgelink.wasm:" >&2
    echo "$unexpected" >&2
    exit 1
fi

size=$(wc -c <dist/forgelink.wasm)
gzipped=$(gzip -9 -c dist/forgelink.wasm | wc -c)
echo "dist/forgelink.wasm: $size bytes ($gzipped gzip); imports: $(tr '\n' ' ' <<<"$imports")"
