// The package's life in a page or a script: a call before `init()` says to call it; a call's
// deadline keeps Node's event loop alive until the call settles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../../scripts/lib.mjs';

const entry = pathToFileURL(join(root, 'pkg', 'thingcall.js')).href;

test('using the package before init() says to call init() first', async () => {
  // A module instance of its own, never initialized (the other tests' instance is).
  const fresh = await import(`${entry}?uninitialized`);
  const message = /call await init\(\) \(or initSync\(\{ module \}\)\) first/;
  assert.throws(() => new fresh.IotClient({ endpoint: 'http://127.0.0.1:9' }), message);
  assert.throws(() => fresh.signRpc({ Action: 'X' }, 'secret'), message);
  // init() still works afterwards, and the client then does.
  const { readFileSync } = await import('node:fs');
  fresh.initSync({ module: readFileSync(join(root, 'pkg', 'thingcall_bg.wasm')) });
  assert.equal(typeof new fresh.IotClient({ endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', accessKeySecret: 'b' }).free, 'function');
});

// A script with nothing pending but a call whose credentials provider never settles: the
// deadline must end the call with `Timeout`, not leave Node to exit with an unsettled await.
const SCRIPT = `
import { readFileSync } from 'node:fs';
import { initSync, IotClient } from ${JSON.stringify(entry)};
initSync({ module: readFileSync(new URL('./thingcall_bg.wasm', ${JSON.stringify(entry)})) });
const client = new IotClient({ endpoint: 'http://127.0.0.1:9', credentials: () => new Promise(() => {}), timeoutMs: 300 });
try {
  await client.invokeThingService({ productKey: 'a1LampDemo0', deviceName: 'lamp-001', identifier: 'Echo', args: {} });
  console.log('resolved');
} catch (e) {
  console.log(e.code, e.outcome);
}
`;

test("a call's deadline keeps Node alive until the call settles (provider never settles)", () => {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0, `exit ${r.status} (13 is "unsettled top-level await")`);
  assert.equal(r.stdout.trim(), 'Timeout not_sent');
  assert.ok(Date.now() - started >= 300, 'ended before the deadline');
});

test('a settled call leaves no timer behind: the script exits at once', () => {
  const quick = SCRIPT.replace('() => new Promise(() => {})', "async () => { throw new Error('no key') }").replace('timeoutMs: 300', 'timeoutMs: 600000');
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', quick], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^CredentialsError/);
  assert.ok(Date.now() - started < 10_000, 'the 10-minute deadline kept the process alive after the call settled');
});
