// `npm start`: set up, build pkg/, and run the demo the way a deployment runs: the emulator as the
// platform (CORS off, on a free loopback port) and deploy/backend at http://127.0.0.1:8686/ serving
// the page, temporary keys at /sts and the /iot/ relay. The backend's long-lived key is the
// emulator's demo key, given to the backend only.
//
// With THINGCALL_UPSTREAM set, no emulator is started and the backend is configured from the
// environment alone (deploy/backend/server.mjs lists the variables): the same demo against the
// real platform. Extra arguments go to the emulator (`npm start -- --rrpc-timeout-ms 3000`);
// `--port N` (or PORT) moves the backend.
import { demoBackendEnv, run, startEmulator } from './lib.mjs';
import { build } from './build.mjs';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? args.splice(portAt, 2)[1] : process.env.PORT || '8686';
const real = Boolean(process.env.THINGCALL_UPSTREAM);

try {
  build();
  if (!real) run('cargo', ['build', '-p', 'thingcall-emulator']);
} catch (e) {
  console.error(e.message);
  process.exit(e.exitCode ?? 1);
}

// After build(), whose set-up installs the npm packages the backend imports (a fresh clone has
// none yet).
const { configFromEnv, startBackend } = await import('../deploy/backend/server.mjs');

let emulator = null;
let backend = null;
async function stop(code) {
  await backend?.close();
  await emulator?.stop();
  process.exit(code);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => stop(0));

try {
  let env = { ...process.env, PORT: port };
  if (!real) {
    emulator = await startEmulator({ port: 0, args: ['--cors', 'off', '--amqp-port', '0', ...args], quiet: false });
    emulator.child.once('exit', (code) => stop(code ?? 1));
    // Live values: the emulator's server-side subscription, streamed to the page at /events.
    env = { ...env, ...demoBackendEnv(emulator, { PORT: port, THINGCALL_PRODUCTS: env.THINGCALL_PRODUCTS ?? 'a1LampDemo0' }) };
  }
  backend = await startBackend(configFromEnv(env));
  console.log(`\nthingcall demo: ${backend.url}/  (Ctrl+C stops)`);
  console.log(`  /sts and /iot/ relay to ${env.THINGCALL_UPSTREAM}${real ? '' : ' (the emulator, CORS off; its test control is at /_emulator/)'}`);
  if (env.THINGCALL_AMQP_URL) console.log(`  /events streams live values from ${env.THINGCALL_AMQP_URL}`);
} catch (e) {
  console.error(`npm start: ${e.message}`);
  await stop(1);
}
