#!/usr/bin/env bash
# Builds the npm package into pkg/dist: ring-wasm compiled twice (`core`: the ring,
# plans, transitions; `full`: plus BoundedLoads and Ketama, so the main module keeps its
# size), each bound by wasm-bindgen for the web, shrunk with wasm-opt -Oz from npm's
# binaryen (Debian's is too old for externref tables), then turned into the package's
# entries by fixup.mjs. Tools come from tests/node_modules (npm ci --prefix tests).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools="$root/tests/node_modules/.bin"
for tool in wasm-opt esbuild; do
  [ -x "$tools/$tool" ] || { echo "run: npm ci --prefix tests (provides $tool)" >&2; exit 1; }
done
target_dir=${CARGO_TARGET_DIR:-target}
generated=$(mktemp -d)
trap 'rm -rf "$generated"' EXIT

for build in core full; do
  features=$([ "$build" = full ] && echo "--features extras" || true)
  # shellcheck disable=SC2086
  cargo build -q -p ring-wasm --release --target wasm32-unknown-unknown $features
  wasm-bindgen "$target_dir/wasm32-unknown-unknown/release/ring_wasm.wasm" \
    --out-dir "$generated/$build" --out-name ringroute --target web
  "$tools/wasm-opt" -Oz --converge --enable-reference-types --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --strip-debug --strip-producers \
    "$generated/$build/ringroute_bg.wasm" -o "$generated/$build/ringroute_bg.wasm"
done
# The last good pkg/dist stays until both builds have compiled.
rm -rf pkg/dist
for build in core full; do
  node pkg/fixup.mjs "$build" "$generated/$build" ringroute "$tools/esbuild"
done
# Resolvers without "exports" (TypeScript's node10, old bundlers) find subpaths by folder.
rm -rf pkg/full
mkdir -p pkg/full
printf '{\n  "main": "../dist/full/index.cjs",\n  "types": "../dist/full/index.d.cts"\n}\n' >pkg/full/package.json
# npm packs a package's licence files from its own folder.
cp LICENSE-MIT LICENSE-APACHE pkg/
for build in core full; do
  raw=$(stat -c %s "pkg/dist/$build/ringroute.wasm")
  gz=$(gzip -9 -c "pkg/dist/$build/ringroute.wasm" | wc -c)
  # What a browser downloads: the ESM entry and every module it imports.
  entry=$(cat "pkg/dist/$build/index.js" "pkg/dist/$build/bindings.js" "pkg/dist/$build/wasm.js" \
    pkg/src/*.js | gzip -9 | wc -c)
  echo "built pkg/dist/$build: wasm ${raw} bytes, ${gz} gzipped; the entry with its JS and wasm ${entry} gzipped"
done
