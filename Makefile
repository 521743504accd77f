# The commands the README shows. `make demo` and `make test` install what they need first.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: setup demo test test-rust test-core-imports test-node test-component test-www test-scale \
        providers-doc \
        lint pkg component bench fuzz clean

## setup: install toolchains and packages this repository needs (idempotent)
setup:
	scripts/setup.sh

## demo: build the npm package, then run the setup wizard and the provider sandbox on 127.0.0.1
demo: setup pkg
	node www/demo.mjs

## test: every test of every face
# A test that hangs fails on its own after ten minutes, named, instead of stalling the whole run.
NODE_TEST := node --test --test-timeout=600000

test: setup lint test-rust pkg component test-core-imports test-node test-component test-www test-scale

# The typescript test fails when pkg/types.d.ts is not what the Rust types generate; run it
# with FORGELINK_WRITE_TYPES=1 to rewrite the file.
lint:
	node scripts/providers-doc.mjs --check
	cargo test -p forgelink-js --features typescript --lib typescript
	cargo clippy -p forgelink-js --features typescript --all-targets -- -D warnings
	cargo fmt --all -- --check
	cargo fmt --manifest-path hosts/wasmtime/Cargo.toml -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy --workspace --target wasm32-unknown-unknown -- -D warnings
	cargo clippy -p forgelink-js --no-default-features --all-targets -- -D warnings
	cargo clippy -p forgelink-js --no-default-features --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --manifest-path hosts/wasmtime/Cargo.toml --all-targets -- -D warnings

test-rust:
	cargo test --workspace
	cargo test -p forgelink-js --no-default-features

## pkg: the npm package in pkg/ (wasm-bindgen + wasm-opt)
pkg:
	scripts/build-pkg.sh

## component: the WebAssembly component dist/forgelink.wasm
component:
	scripts/build-component.sh

test-core-imports:
	scripts/check-core-imports.sh

test-node: pkg
	$(NODE_TEST) pkg/test/

test-component: component
	cargo test --manifest-path hosts/wasmtime/Cargo.toml

test-www: pkg
	$(NODE_TEST) www/test/ www/sandbox/test/

# Real processes (Node workers and forgelink-host serve) sharing real Redis and PostgreSQL.
test-scale: pkg component
	cargo build --manifest-path hosts/wasmtime/Cargo.toml
	$(NODE_TEST) tests/scale/

## providers-doc: write docs/PROVIDERS.md from src/providers/ (`make lint` checks it is current)
providers-doc:
	node scripts/providers-doc.mjs

## bench: measure against named peers and write benches/RESULTS.md
bench: setup pkg component
	command -v twiggy >/dev/null || cargo install twiggy --version 0.7.0
	cargo build --manifest-path hosts/wasmtime/Cargo.toml
	node benches/run.mjs

## fuzz: every fuzz target for a bounded time (FUZZ_SECONDS each, default 60)
fuzz: setup
	scripts/fuzz.sh

clean:
	cargo clean
	cargo clean --manifest-path hosts/wasmtime/Cargo.toml
	rm -rf dist pkg/forgelink_bg.wasm pkg/forgelink_flows_bg.wasm pkg/glue
