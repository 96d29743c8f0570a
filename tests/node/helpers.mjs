// Shared by the Node tests: the built package (both entries, loaded with initSync), the emulator (the one
// `npm test` started, from THINGCALL_EMULATOR_URL, or one of our own), and its test control.
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { root, startEmulator } from '../../scripts/lib.mjs';

const pkgDir = join(root, 'pkg');
if (!existsSync(join(pkgDir, 'thingcall_bg.wasm'))) {
  throw new Error('pkg/ is not built: run `npm run build` (npm test does it first)');
}
const pkg = await import(join(pkgDir, 'thingcall.js'));
pkg.initSync({ module: readFileSync(join(pkgDir, 'thingcall_bg.wasm')) });

/**
 * The signature the tests' clients use unless a test names one: `npm test` runs the client tests
 * once as they are (V1, the default) and once with `THINGCALL_SIGNATURE=v3`, where every
 * `IotClient` made through this module signs with V3. A test that applies to V1 only is skipped
 * then, with the reason.
 */
export const SIGNATURE = process.env.THINGCALL_SIGNATURE === 'v3' ? 'v3' : 'v1';
export const V3 = SIGNATURE === 'v3';
/** `{ skip }` for a test of V1 only. */
export const v1Only = (why) => ({ skip: V3 && `V1 only: ${why}` });

class IotClientV3 extends pkg.IotClient {
  constructor(options) {
    const plain = options && typeof options === 'object' && !Array.isArray(options) && !('signature' in options);
    super(plain ? { signature: 'v3', ...options } : options);
  }
}
export const thingcall = V3 ? { ...pkg, IotClient: IotClientV3 } : pkg;
// Both entries: the tests of the first entry alone are in entries.test.mjs.
const extras = await import(join(pkgDir, 'extras.js'));
extras.loadExtrasSync({ module: readFileSync(join(pkgDir, 'thingcall_extras_bg.wasm')) });

export const DEMO = { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' };

/** The action a request the package sends names: V3's `x-acs-action` header, or V1's `Action`
 * parameter (in the form body, or the query of a GET). */
export async function actionOf(request) {
  const v3 = request.headers.get('x-acs-action');
  if (v3) return v3;
  const wire = request.method === 'GET' ? new URL(request.url).search : await request.clone().text();
  return new URLSearchParams(wire).get('Action');
}

/** An answer as the platform gives when it refuses a request (HTTP 400: not retried). */
export function refusal(message) {
  const body = { RequestId: 'refused', Success: false, Code: 'iot.common.QueryFailed', Message: message };
  return new Response(JSON.stringify(body), { status: 400, headers: { 'content-type': 'application/json' } });
}

export const PK = 'a1LampDemo0';

let emulator = null;
/** The emulator's base URL, starting one for this file when none is given. */
export async function emulatorUrl() {
  if (process.env.THINGCALL_EMULATOR_URL) return process.env.THINGCALL_EMULATOR_URL;
  if (!emulator) {
    const bin = join(root, 'target', 'debug', 'thingcall-emulator');
    if (!existsSync(bin)) spawnSync('cargo', ['build', '-q', '-p', 'thingcall-emulator'], { cwd: root, stdio: 'inherit' });
    emulator = await startEmulator();
    // Not `after()`: called from inside a test, that would stop it when that test ends.
    // Nor may it keep this process alive once the tests are done.
    process.once('exit', () => emulator.child.kill('SIGTERM'));
    emulator.child.unref();
    emulator.child.stdout.unref?.();
  }
  return emulator.url;
}

/** POSTs to the emulator's test control. */
export async function control(path, body = {}) {
  const r = await fetch(`${await emulatorUrl()}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal(r.status, 200, `control ${path}`);
  return r.json();
}

/** What reached the devices. */
export async function deviceLog() {
  return (await fetch(`${await emulatorUrl()}/_emulator/log`)).json();
}

/** A client with the demo key (or other options). */
export async function client(options = {}) {
  return new thingcall.IotClient({ endpoint: await emulatorUrl(), ...DEMO, signature: SIGNATURE, ...options });
}

/** Awaits a rejection and returns the error after checking it is a ThingcallError free of secrets. */
export async function rejection(promise, secrets = []) {
  try {
    await promise;
  } catch (e) {
    assertThingcallError(e, secrets);
    return e;
  }
  assert.fail('expected a rejection');
}

export function assertThingcallError(e, secrets = []) {
  assert.ok(e instanceof Error, 'an Error');
  assert.ok(e instanceof thingcall.ThingcallError, 'a ThingcallError');
  assert.equal(e.name, 'ThingcallError');
  assert.equal(typeof e.code, 'string');
  assert.ok(['not_sent', 'rejected', 'unknown'].includes(e.outcome), `outcome ${e.outcome}`);
  assert.equal(typeof e.retryable, 'boolean');
  assert.equal(typeof e.attempts, 'number');
  for (const s of [DEMO.accessKeySecret, ...secrets]) {
    for (const form of [s, encodeURIComponent(s), encodeURIComponent(encodeURIComponent(s))]) {
      assert.ok(!e.message.includes(form), `the message must not contain a secret: ${e.message}`);
      assert.ok(!String(e.stack).includes(form), 'nor the stack');
    }
  }
}
