#!/usr/bin/env bash
# Builds the npm package into pkg/dist: ring-wasm compiled once, bound for Node (CJS),
# the web (ESM with init/initSync, also used by workers and bundlers), then shrunk
# with wasm-opt -Oz from npm's binaryen (Debian's is too old for externref tables).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
wasm_opt="$root/tests/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || { echo "run: npm ci --prefix tests (provides wasm-opt)" >&2; exit 1; }

cargo build -q -p ring-wasm --release --target wasm32-unknown-unknown
input=target/wasm32-unknown-unknown/release/ring_wasm.wasm
rm -rf pkg/dist
for target in nodejs web; do
  dir=pkg/dist/$([ "$target" = nodejs ] && echo node || echo "$target")
  wasm-bindgen "$input" --out-dir "$dir" --out-name ringroute --target "$target"
  "$wasm_opt" -Oz --converge --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --strip-debug --strip-producers "$dir/ringroute_bg.wasm" -o "$dir/ringroute_bg.wasm"
done
# wasm-bindgen cannot mark a parameter optional once its type is overridden.
sed -i -e 's/constructor(options: RingOptions)/constructor(options?: RingOptions)/' \
  -e 's/add(id: string, options: NodeOptions)/add(id: string, options?: NodeOptions)/' \
  -e 's/constructor(prev: HashRing, next: HashRing, epoch: number)/constructor(prev: HashRing, next: HashRing, epoch?: number)/' \
  pkg/dist/*/ringroute.d.ts
# The raw wasm exports in the web build's InitOutput are typed `any`; nothing public is.
sed -i '/^    readonly /s/\bany\b/unknown/g' pkg/dist/web/ringroute.d.ts
# The package is "type": "module"; the Node build is CommonJS.
mv pkg/dist/node/ringroute.js pkg/dist/node/ringroute.cjs
sed -i 's/ringroute\.js/ringroute.cjs/g' pkg/dist/node/package.json 2>/dev/null || true
rm -f pkg/dist/*/package.json pkg/dist/*/.gitignore
# The fast paths are written once, as ESM; Node's `require` (before Node 22) needs CJS.
sed 's/^export function withFastPaths/exports.withFastPaths = function withFastPaths/' pkg/fast.js \
  > pkg/dist/node/fast.cjs
raw=$(stat -c %s pkg/dist/web/ringroute_bg.wasm)
gz=$(gzip -9 -c pkg/dist/web/ringroute_bg.wasm | wc -c)
echo "built pkg/dist: ringroute_bg.wasm ${raw} bytes, ${gz} gzipped"
