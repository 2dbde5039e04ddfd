// Runs a wasm32-wasip1 build of an itar-filter example (e.g. bench_native) under Node's V8, for
// a quick A/B of the request path in V8 without Envoy (docs/performance.md, "Scanning in V8").
//
//   cargo build --release --target wasm32-wasip1 -p itar-filter --example bench_native
//   node --no-warnings scripts/bench.d/wasi-run.mjs \
//       target/wasm32-wasip1/release/examples/bench_native.wasm \
//       --policy "$PWD/policies/default.json" --seconds 2 /tmp/body.json
//
// Paths must be absolute and under /tmp or the repository's parent directory (the preopens).
// The proxy-wasm host imports of the library (module "env") are stubbed: the example never calls
// them. The example is a WASI command, but the library's proxy-wasm exports make it look like a
// reactor too, so `_initialize` is hidden from WASI.start.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import path from 'node:path';

const [file, ...args] = process.argv.slice(2);
const repoParent = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const wasi = new WASI({
  version: 'preview1',
  args: ['example', ...args],
  preopens: { '/tmp': '/tmp', [repoParent]: repoParent },
  env: {},
  returnOnExit: true,
});
const mod = await WebAssembly.compile(await readFile(file));
const env = {};
for (const i of WebAssembly.Module.imports(mod)) {
  if (i.module === 'env') env[i.name] = () => 0;
}
const inst = await WebAssembly.instantiate(mod, { ...wasi.getImportObject(), env });
const { _initialize, ...exports } = inst.exports;
process.exitCode = wasi.start({ exports });
