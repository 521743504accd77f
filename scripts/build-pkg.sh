#!/usr/bin/env bash
# Builds the npm package's WebAssembly and its wasm-bindgen glue into pkg/:
#   pkg/glue/forgelink.js   the glue, loaded only through the hand-written pkg/index.js
#   pkg/forgelink_bg.wasm   the optimised module
# Run from the repository root (`make pkg` does). Skips the wasm-bindgen and wasm-opt steps
# when their outputs are newer than everything they are made from.
set -euo pipefail
cd "$(dirname "$0")/.."

target=wasm32-unknown-unknown
# A profile of its own, so that optimising for size neither rebuilds nor changes what other
# release builds in this workspace (the component, the native crates) get from the shared cache.
profile=wasm-pkg
cargo_config=(
  --config "profile.$profile.inherits=\"release\""
  --config "profile.$profile.opt-level=\"z\""
  --config "profile.$profile.panic=\"abort\""
)
raw="target/$target/$profile/forgelink_js.wasm"
bindgen_dir="target/$target/$profile/bindgen"
glue=pkg/glue/forgelink.js
wasm=pkg/forgelink_bg.wasm

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "build-pkg: $1 not found; $2" >&2
    exit 1
  fi
}
need cargo "install Rust with rustup"
need wasm-bindgen "run: cargo install wasm-bindgen-cli --version 0.2.130"
# Debian's binaryen is too old for wasm-bindgen's output and breaks it silently; the npm one is pinned.
wasm_opt=node_modules/.bin/wasm-opt
if [[ ! -x $wasm_opt ]]; then
  echo "build-pkg: $wasm_opt not found; run: npm ci" >&2
  exit 1
fi

# The glue must come from the same wasm-bindgen version as the crate, or it fails at load time.
want=$(sed -n 's/^wasm-bindgen = "=\(.*\)"$/\1/p' bindings/js/Cargo.toml)
have=$(wasm-bindgen --version | awk '{print $2}')
if [[ -n $want && $want != "$have" ]]; then
  echo "build-pkg: wasm-bindgen CLI is $have, the crate pins $want; run: cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi

cargo build --quiet --target "$target" --profile "$profile" "${cargo_config[@]}" -p forgelink-js

if [[ -f $glue && -f $wasm && $glue -nt $raw && $wasm -nt $raw \
      && $wasm -nt "$0" && $wasm -nt package-lock.json ]]; then
  echo "build-pkg: $wasm is up to date"
  exit 0
fi

rm -rf "$bindgen_dir"
# --omit-default-module-path: index.js says where the wasm is, so the glue holds no URL a
# bundler would try to resolve next to it.
wasm-bindgen "$raw" \
  --out-dir "$bindgen_dir" \
  --out-name forgelink \
  --target web \
  --no-typescript \
  --omit-default-module-path \
  --remove-name-section \
  --remove-producers-section

# The feature flags are those rustc enables by default for this target, all supported by
# Node 20 and current browsers; wasm-opt must not assume any other.
"$wasm_opt" "$bindgen_dir/forgelink_bg.wasm" -o "$bindgen_dir/forgelink_opt.wasm" \
  -Oz --converge \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers --strip-target-features

mkdir -p pkg/glue
cp "$bindgen_dir/forgelink.js" "$glue"
cp "$bindgen_dir/forgelink_opt.wasm" "$wasm"

# Measured as the benchmarks measure it (node:zlib, level 9), so the numbers agree.
node -e '
  const bytes = require("node:fs").readFileSync(process.argv[1]);
  const gzip = require("node:zlib").gzipSync(bytes, { level: 9 }).length;
  console.log(`build-pkg: ${process.argv[1]}: ${bytes.length} bytes, ${gzip} bytes gzip -9`);
' "$wasm"
