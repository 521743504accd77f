#!/usr/bin/env bash
# Installs what building and testing forgelink needs, skipping what is already there, so a
# fresh machine needs nothing but Rust (rustup), Node 20+ and a Debian package manager.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the exact pin in bindings/js/Cargo.toml
WASM_TOOLS_VERSION=1.263.0

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown; do
  if ! grep -qx "$target" <<<"$installed_targets"; then
    say "adding Rust target $target"
    rustup target add "$target"
  fi
done
installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
  if ! grep -q "^$component" <<<"$installed_components"; then
    say "adding Rust component $component"
    rustup component add "$component"
  fi
done

if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
  # No --locked: one of the CLI's locked dependencies was yanked from the registry.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [[ "$(wasm-tools --version 2>/dev/null)" != "wasm-tools $WASM_TOOLS_VERSION"* ]]; then
  say "installing wasm-tools $WASM_TOOLS_VERSION (about 3 minutes, once)"
  cargo install wasm-tools --version "$WASM_TOOLS_VERSION" --force \
    --no-default-features --features component,validate,print,objdump
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm development packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Debian packages the tests run: chromium for the browser tests, Redis and PostgreSQL for the
# storage tests (which start servers of their own on free ports, so the packages' services
# need not run). One apt-get update for all that are missing.
debian_packages=()
[[ -x /usr/bin/chromium ]] || debian_packages+=(chromium)
[[ -x /usr/bin/redis-server ]] || debian_packages+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || debian_packages+=(postgresql)
if (( ${#debian_packages[@]} > 0 )); then
  say "installing Debian's ${debian_packages[*]} for the tests"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${debian_packages[@]}" >/dev/null
fi
say "ready"
