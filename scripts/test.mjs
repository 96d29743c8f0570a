// `npm test`: set-up, native tests (core, emulator), the Rust examples built for wasm32, the
// Rust API's docs (rustdoc, warnings as errors), the
// package build, then against one running emulator: in-browser tests of the Rust client
// (tests/web.rs, headless Chrome and Firefox), Node tests of the built package, the package's
// IotClient in headless Chromium and Firefox, the nginx relay recipe (deploy/nginx) in front of an
// emulator with CORS off, and the end-to-end test of the demo as deployed (deploy/backend in front
// of an emulator with CORS off) in headless Chromium. Every server is stopped at the end, whatever
// happened.
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
    run('wasm-pack', ['test', '--headless', '--chrome', '--firefox', '--', '--features', 'fleet'], { env });
    run('node', ['--test', '--test-concurrency=1', 'tests/node/', 'tests/browser/', 'tests/relay/', 'tests/e2e/'], { env });
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(`\nnpm test failed: ${e.message}`);
  process.exit(e.exitCode ?? 1);
});
