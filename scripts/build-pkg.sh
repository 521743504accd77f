#!/usr/bin/env bash
# Builds the npm package's two WebAssembly modules and their wasm-bindgen glue into pkg/:
#   pkg/glue/forgelink.js, pkg/forgelink_bg.wasm                the `forgelink` entry (index.js):
#                                                               the pure functions only
#   pkg/glue/forgelink_flows.js, pkg/forgelink_flows_bg.wasm    the `forgelink/flows` entry
#                                                               (flows.js): those, the token
#                                                               functions and the flows
# The glue is loaded only through the hand-written entries. Run from the repository root
# (`make pkg` does). Skips the wasm-bindgen and wasm-opt steps of a module when its outputs are
# newer than everything they are made from.
set -euo pipefail
cd "$(dirname "$0")/.."

target=wasm32-unknown-unknown
# Profiles of their own, so that neither rebuilds nor changes what other release builds in this
# workspace (the component, the native crates) get from the shared cache, and one per module so
# that each keeps its own build. The `forgelink` entry is what pages load: optimised for size.
# `forgelink/flows` runs where deliveries arrive and tokens are exchanged: optimised for speed,
# which parses webhooks about 1.6 times as fast for about 70 KB more gzip (benches/RESULTS.md).
cargo_config=(
  --config 'profile.wasm-pkg.opt-level="z"'
  --config 'profile.wasm-pkg-flows.opt-level=3'
)
for profile in wasm-pkg wasm-pkg-flows; do
  cargo_config+=(
    --config "profile.$profile.inherits=\"release\""
    --config "profile.$profile.panic=\"abort\""
  )
done
# Panic locations name the source files of dependencies by where Cargo unpacked them, which is
# this machine's home directory: written as the crate's own path instead (`url-2.5.8/src/host.rs`),
# the published module names no machine and is smaller.
cargo_home=${CARGO_HOME:-$HOME/.cargo}
remaps=()
for dir in "$cargo_home"/registry/src/*/ "$cargo_home"/git/checkouts/*/; do
  [[ -d $dir ]] && remaps+=("\"--remap-path-prefix=$dir=\"")
done
if ((${#remaps[@]})); then
  cargo_config+=(--config "target.$target.rustflags=[$(IFS=,; echo "${remaps[*]}")]")
fi

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

# build NAME PROFILE WASM_OPT_FLAGS CARGO_FLAGS...: one module, pkg/glue/NAME.js and
# pkg/NAME_bg.wasm.
build() {
  local name=$1 profile=$2 wasm_opt_flags=$3
  shift 3
  local raw="target/$target/$profile/forgelink_js.wasm"
  local bindgen_dir="target/$target/$profile/bindgen"
  local glue="pkg/glue/$name.js"
  local wasm="pkg/${name}_bg.wasm"

  cargo build --quiet --target "$target" --profile "$profile" "${cargo_config[@]}" -p forgelink-js "$@"

  if [[ -f $glue && -f $wasm && $glue -nt $raw && $wasm -nt $raw \
        && $wasm -nt "$0" && $wasm -nt package-lock.json ]]; then
    echo "build-pkg: $wasm is up to date"
  else
    rm -rf "$bindgen_dir"
    # --omit-default-module-path: the entry says where the wasm is, so the glue holds no URL a
    # bundler would try to resolve next to it.
    wasm-bindgen "$raw" \
      --out-dir "$bindgen_dir" \
      --out-name "$name" \
      --target web \
      --no-typescript \
      --omit-default-module-path \
      --remove-name-section \
      --remove-producers-section

    # The feature flags are those rustc enables by default for this target, all supported by
    # Node 20 and current browsers; wasm-opt must not assume any other.
    "$wasm_opt" "$bindgen_dir/${name}_bg.wasm" -o "$bindgen_dir/${name}_opt.wasm" \
      $wasm_opt_flags \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      --strip-debug --strip-producers --strip-target-features

    mkdir -p pkg/glue
    cp "$bindgen_dir/$name.js" "$glue"
    cp "$bindgen_dir/${name}_opt.wasm" "$wasm"
  fi

  # Measured as the benchmarks measure it (node:zlib, level 9), so the numbers agree.
  node -e '
    const bytes = require("node:fs").readFileSync(process.argv[1]);
    const gzip = require("node:zlib").gzipSync(bytes, { level: 9 }).length;
    console.log(`build-pkg: ${process.argv[1]}: ${bytes.length} bytes, ${gzip} bytes gzip -9`);
  ' "$wasm"
}

# --low-memory-unused: Rust lays the stack out first, growing down from 1 MiB, so the lowest
# 1 KiB is touched only by a stack already overflowed; wasm-opt then folds constant addresses
# into load and store offsets (about 550 bytes less gzip on the `forgelink` entry).
build forgelink wasm-pkg "-Oz --converge --low-memory-unused" --no-default-features --features compact-sha256
build forgelink_flows wasm-pkg-flows -O3 --features flows
