#!/usr/bin/env bash
# Builds the npm package into pkg/dist: ring-wasm compiled once, bound for Node (CJS),
# the web (ESM with init/initSync, also used by workers and bundlers), then shrunk
# with wasm-opt -Oz from npm's binaryen (Debian's is too old for externref tables).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
wasm_opt="$root/tests/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || { echo "run: npm ci --prefix tests (provides wasm-opt)" >&2; exit 1; }

rm -rf pkg/dist
# Two builds: `ringroute` (the ring, plans, transitions) and `ringroute/full` (plus
# BoundedLoads and Ketama), so the main module keeps within its size budget.
for variant in ringroute ringroute_full; do
  features=$([ "$variant" = ringroute_full ] && echo "--features extras" || true)
  # shellcheck disable=SC2086
  cargo build -q -p ring-wasm --release --target wasm32-unknown-unknown $features
  input=target/wasm32-unknown-unknown/release/ring_wasm.wasm
  for target in nodejs web; do
    dir=pkg/dist/$([ "$target" = nodejs ] && echo node || echo "$target")
    wasm-bindgen "$input" --out-dir "$dir" --out-name "$variant" --target "$target"
    "$wasm_opt" -Oz --converge --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --strip-debug --strip-producers \
      "$dir/${variant}_bg.wasm" -o "$dir/${variant}_bg.wasm"
  done
  # The package is "type": "module"; the Node build is CommonJS.
  mv "pkg/dist/node/$variant.js" "pkg/dist/node/$variant.cjs"
done
# wasm-bindgen cannot mark a parameter optional once its type is overridden.
sed -i -e 's/constructor(options: RingOptions)/constructor(options?: RingOptions)/' \
  -e 's/add(id: string, options: NodeOptions)/add(id: string, options?: NodeOptions)/' \
  -e 's/constructor(prev: HashRing, next: HashRing, epoch: number)/constructor(prev: HashRing, next: HashRing, epoch?: number)/' \
  -e 's/add(host: string, port: number, options: KetamaOptions)/add(host: string, port: number, options?: KetamaOptions)/' \
  -e 's/cap(ring: HashRing, node: string, items: number)/cap(ring: HashRing, node: string, items?: number)/' \
  pkg/dist/*/ringroute*.d.ts
# The raw wasm exports in the web build's InitOutput are typed `any`; nothing public is.
sed -i '/^    readonly /s/\bany\b/unknown/g' pkg/dist/web/ringroute*.d.ts
rm -f pkg/dist/*/package.json pkg/dist/*/.gitignore
# The fast paths are written once, as ESM; Node's `require` (before Node 22) needs CJS.
sed 's/^export function withFastPaths/exports.withFastPaths = function withFastPaths/' pkg/fast.js \
  > pkg/dist/node/fast.cjs
for variant in ringroute ringroute_full; do
  raw=$(stat -c %s "pkg/dist/web/${variant}_bg.wasm")
  gz=$(gzip -9 -c "pkg/dist/web/${variant}_bg.wasm" | wc -c)
  echo "built pkg/dist: ${variant}_bg.wasm ${raw} bytes, ${gz} gzipped"
done
