// `npm test`: set-up, native tests (core, emulator), the Rust examples built for wasm32, the
// Rust API's docs (rustdoc, warnings as errors), the package build, then against one running
// emulator: in-browser tests of the Rust client (tests/web.rs, headless Chrome and Firefox),
// Node tests of the built package, the package's IotClient in headless Chromium and Firefox
// (with both signatures), the nginx relay recipe (deploy/nginx) in front of an emulator with
// CORS off, the end-to-end test of the demo as deployed (deploy/backend in front of an emulator
// with CORS off) in headless Chromium, and the client's Node tests again signing with V3. Every
// server is stopped at the end, whatever happened.
import { run, startEmulator } from './lib.mjs';
import { build } from './build.mjs';

async function main() {
  run('bash', ['scripts/setup.sh']);
  run('cargo', ['test', '--workspace', '--features', 'thingcall/fleet,thingcall/v3']);
  run('cargo', ['build', '--examples', '--target', 'wasm32-unknown-unknown']);
  // The Rust API's docs: every public item documented (missing_docs), every link resolving.
  run('cargo', ['doc', '--no-deps', '--features', 'fleet,v3'], { env: { RUSTDOCFLAGS: '-D warnings' } });
  build({ setup: false });
  run('cargo', ['build', '-p', 'thingcall-emulator']);
  const emulator = await startEmulator();
  const stop = () => emulator.stop();
  process.once('SIGINT', () => stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => stop().then(() => process.exit(143)));
  console.error(`\nemulator at ${emulator.url}`);
  const env = { THINGCALL_EMULATOR_URL: emulator.url };
  try {
    // The Rust client's in-browser tests once as they are, once with every client signing with V3.
    for (const signature of ['v1', 'v3']) {
      run('wasm-pack', ['test', '--headless', '--chrome', '--firefox', '--', '--features', 'fleet,v3'], { env: { ...env, THINGCALL_SIGNATURE: signature } });
    }
    run('node', ['--test', '--test-concurrency=1', 'tests/node/', 'tests/browser/', 'tests/relay/', 'tests/e2e/'], { env });
    // The client's tests again, every client they make signing with V3 (tests/node/helpers.mjs;
    // the browsers' scenarios run with both signatures above).
    const v3 = ['client', 'bad_answers', 'bad_input', 'bulk', 'exact_answers', 'faults', 'jobs', 'lifecycle', 'reads', 'secrets', 'selftest', 'thing_model', 'types_returned', 'deployment_attacks', 'backend', 'live'];
    run('node', ['--test', '--test-concurrency=1', ...v3.map((f) => `tests/node/${f}.test.mjs`)], { env: { ...env, THINGCALL_SIGNATURE: 'v3' } });
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(`\nnpm test failed: ${e.message}`);
  process.exit(e.exitCode ?? 1);
});
