#!/usr/bin/env bash
# Size analysis for development: the release wasm after wasm-bindgen and wasm-opt -Oz, with names
# kept, broken down by crate with twiggy (`cargo install twiggy`). Not part of the build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PWD/node_modules/.bin:$PATH"
out=target/size-report
rm -rf "$out" && mkdir -p "$out"
cargo build -q --release --target wasm32-unknown-unknown
wasm-bindgen --target web --keep-debug --out-dir "$out" target/wasm32-unknown-unknown/release/thingcall.wasm
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$out/thingcall_bg.wasm" -o "$out/named.wasm"
twiggy top -n 100000 -f csv "$out/named.wasm" > "$out/top.csv"
python3 - "$out/top.csv" "${1:-25}" <<'PY'
import csv, re, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
by = collections.Counter()
total = 0
for r in rows:
    name, size = r['Name'], int(r['ShallowSize'])
    if name.startswith('custom section') or 'names' in name:
        continue
    total += size
    m = re.match(r'<?([a-z_0-9]+)(\[[0-9a-f]+\])?::', name)
    by[m.group(1) if m else name[:60]] += size
print(f'{total} bytes of code and data (names excluded)')
for k, v in by.most_common(int(sys.argv[2])):
    print(f'{v:8} {k}')
PY
