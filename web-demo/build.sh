#!/usr/bin/env bash
# Builds the demo into web-demo/dist without trunk: cargo for wasm32 (the demo profile),
# wasm-bindgen for the web, wasm-opt -Oz from npm's binaryen (Debian's is too old for externref tables),
# then the hand-written page and stylesheet beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt from web-demo's own npm install (./run demo), or from the tests' (./run test).
wasm_opt="$PWD/web-demo/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || wasm_opt="$PWD/tests/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || { echo "run: npm ci --prefix web-demo (provides wasm-opt)" >&2; exit 1; }

target="${CARGO_TARGET_DIR:-target}"
cargo build -q -p web-demo --release --target wasm32-unknown-unknown
out=web-demo/dist
rm -rf "$out"
wasm-bindgen "$target"/wasm32-unknown-unknown/release/web-demo.wasm --out-dir "$out" --out-name web_demo --target web --no-typescript
"$wasm_opt" -Oz --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --strip-debug --strip-producers \
  "$out/web_demo_bg.wasm" -o "$out/web_demo_bg.wasm"
cp web-demo/static/index.html web-demo/static/style.css "$out/"
raw=$(stat -c %s "$out/web_demo_bg.wasm")
gz=$(gzip -9 -c "$out/web_demo_bg.wasm" | wc -c)
echo "built $out: web_demo_bg.wasm ${raw} bytes, ${gz} gzipped"
