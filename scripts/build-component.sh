#!/usr/bin/env bash
# Builds the WebAssembly component dist/forgelink.wasm and validates it.
#
# The glue is built for wasm32-unknown-unknown, not wasm32-wasip2: Rust's standard library on
# WASI imports wasi:cli, wasi:io and wasi:filesystem, which every plugin host would then have
# to provide. Wrapped with `wasm-tools component new`, the component imports only what the
# glue calls: forgelink's own http, storage, environment and signer interfaces, and
# wasi:random/random.
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

imports=$("$wasm_tools" component wit dist/forgelink.wasm | sed -n 's/^ *import \(.*\);$/\1/p' | sort)
# A plugin host provides exactly these: forgelink's own interfaces and wasi:random, nothing else
# of WASI. A missing one means the glue stopped calling it, an extra one that a dependency
# reached for the platform; either way the world and this list must be looked at again.
expected=$(sort <<'LIST'
forgelink:connect/environment@0.1.0
forgelink:connect/hmac@0.1.0
forgelink:connect/http@0.1.0
forgelink:connect/signer@0.1.0
forgelink:connect/storage@0.1.0
wasi:random/random@0.2.12
LIST
)
if [[ $imports != "$expected" ]]; then
    echo "build-component: dist/forgelink.wasm imports" >&2
    echo "$imports" >&2
    echo "build-component: expected exactly" >&2
    echo "$expected" >&2
    exit 1
fi

size=$(wc -c <dist/forgelink.wasm)
gzipped=$(gzip -9 -c dist/forgelink.wasm | wc -c)
echo "dist/forgelink.wasm: $size bytes ($gzipped gzip); imports: $(tr '\n' ' ' <<<"$imports")"
