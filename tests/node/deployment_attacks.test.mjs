// The deployment under attack: the backend as `npm start` runs it (deploy/backend, the emulator
// with CORS off as the platform), with a second product in the emulator that is not the
// dashboard's (emulator/fixtures/two-products.json). Each test is an attack that worked before
// the relay checked the dashboard's scope, /sts checked who asks, and resources were bounded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBackendEnv, freePort, root, startEmulator } from '../../scripts/lib.mjs';
import { thingcall, DEMO, V3 } from './helpers.mjs';
import { configFromEnv, startBackend } from '../../deploy/backend/server.mjs';
import { raw } from '../raw_http.mjs';

const { IotClient, ThingcallError } = thingcall;
const MINE = 'a1LampDemo0';
const THEIRS = 'a1OtherProd0';
const DENIED = 'iot.common.RamActionPermissionDeny';

let emulator;
let backend;
const logged = [];

const env = (extra = {}) => demoBackendEnv(emulator, { THINGCALL_PRODUCTS: MINE, ...extra });

before(async () => {
  emulator = await startEmulator({ args: ['--cors', 'off', '--config', join(root, 'emulator', 'fixtures', 'two-products.json')] });
  backend = await startBackend(configFromEnv(env()), { log: (l) => logged.push(l) });
});
after(async () => {
  await backend?.close();
  await emulator?.stop();
});

/** POST /sts as the dashboard's own page does. */
const sts = async (base = backend.url) => {
  const r = await fetch(`${base}/sts`, { method: 'POST', headers: { Origin: base } });
  if (!r.ok) throw new Error(`/sts answered HTTP ${r.status}`);
  return r.json();
};
/** The page's client: temporary keys, through the relay. */
// With V3 it signs the host the relay sends upstream (the emulator's, as the platform's).
const page = (o = {}) => new IotClient({ endpoint: `${backend.url}/iot/`, credentials: () => sts(), retry: { maxAttempts: 2 }, ...(V3 && { signedHost: new URL(emulator.url).host }), ...o });
/** The platform itself, with the long-lived key (what an operator, not the page, may do). */
const admin = () => new IotClient({ endpoint: emulator.url, ...DEMO });
const deviceLog = async () => (await fetch(`${emulator.url}/_emulator/log`)).json();
const theirs = (log) => log.filter((e) => e.device.startsWith(`${THEIRS}/`));

async function refused(promise) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ThingcallError, String(e));
    assert.equal(e.code, DENIED, e.message);
    assert.equal(e.outcome, 'rejected');
    return true;
  });
}

test('a job on another product is refused by the relay, by product and by device targets', async () => {
  const c = page();
  const before = theirs(await deviceLog()).length;
  await refused(c.createJob({ name: 'steal_invoke', productKey: THEIRS, identifier: 'Blink', args: { times: 1 } }));
  await refused(c.createJob({ name: 'steal_set', productKey: THEIRS, items: { Brightness: 1 } }));
  await refused(c.createJob({ name: 'steal_devices', targets: [{ productKey: THEIRS, deviceName: 'other-01' }], identifier: 'Blink', args: { times: 1 } }));
  await refused(c.createJob({ name: 'mixed_devices', targets: [{ productKey: MINE, deviceName: 'lamp-01' }, { productKey: THEIRS, deviceName: 'other-01' }], identifier: 'Blink', args: { times: 1 } }));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(theirs(await deviceLog()).length, before, 'no device of the other product ran anything');
  // The dashboard's own jobs still work, and can be watched and cancelled.
  const { jobId } = await c.createJob({ name: 'own_job', productKey: MINE, identifier: 'Blink', args: { times: 1 } });
  assert.equal((await c.job(jobId)).jobId, jobId);
  const tasks = [];
  for await (const t of c.tasks(jobId)) tasks.push(t);
  assert.ok(tasks.every((t) => t.productKey === MINE));
});

test("another product's job cannot be read, listed or cancelled through the relay", async () => {
  const { jobId } = await admin().createJob({ name: 'their_job', productKey: THEIRS, identifier: 'Blink', args: { times: 1 } });
  const c = page();
  await refused(c.job(jobId));
  await refused(c.cancelJob(jobId));
  await refused((async () => { for await (const t of c.tasks(jobId)) return t; })());
  await refused(c.call('QueryJobStatistics', { JobId: jobId }));
});

test("a device of another product, named by its IotId, is refused (alone or beside the dashboard's ProductKey)", async () => {
  const a = admin();
  const theirIot = (await a.queryDeviceDetail({ productKey: THEIRS, deviceName: 'other-01' })).data.IotId;
  const myIot = (await a.queryDeviceDetail({ productKey: MINE, deviceName: 'lamp-03' })).data.IotId;
  const c = page();
  await refused(c.invokeThingService({ iotId: theirIot, identifier: 'Echo', args: { text: 'x' } }));
  await refused(c.queryDevicePropertyStatus({ iotId: theirIot }));
  await refused(c.call('InvokeThingService', { ProductKey: MINE, DeviceName: 'lamp-03', IotId: theirIot, Identifier: 'Echo', Args: '{}' }));
  // The dashboard's own device by IotId works.
  const r = await c.invokeThingService({ iotId: myIot, identifier: 'Echo', args: { text: 'mine' } });
  assert.deepEqual(r.result.data, { text: 'mine' });
  // A direct call on the other product: refused too (by the relay; the policy would as well).
  await refused(c.invokeThingService({ productKey: THEIRS, deviceName: 'other-01', identifier: 'Echo' }));
});

test('parameters the relay cannot check unambiguously are refused before the platform sees them', async () => {
  const cases = [
    'Action=InvokeThingService&ProductKey=a1LampDemo0&ProductKey=a1OtherProd0&DeviceName=other-01',
    'Action=InvokeThingService&productKey=a1OtherProd0&DeviceName=other-01',
    'Action=InvokeThingService&PRODUCTKEY=a1OtherProd0&DeviceName=other-01',
    'Action=CreateJob&TargetConfig=not-json',
    'Action=CreateJob&TargetConfig=%7B%22targetType%22%3A%22GROUP%22%7D',
    'Action=DeleteDevice&ProductKey=a1LampDemo0&DeviceName=lamp-01',
    'Action=InvokeThingService&Action=DeleteDevice&ProductKey=a1LampDemo0',
    'Action=QueryDevice',
    'ProductKey=a1LampDemo0',
  ];
  for (const query of cases) {
    for (const method of ['GET', 'POST']) {
      const r = method === 'GET'
        ? await raw(backend.url, { path: `/iot/?${query}` })
        : await raw(backend.url, { method, path: '/iot/', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: query });
      assert.equal(r.status, 200, `${method} ${query}`);
      const body = JSON.parse(r.body);
      assert.deepEqual([body.Success, body.Code], [false, DENIED], `${method} ${query}: ${r.body}`);
    }
  }
  // Split between query and body: still one ProductKey too many.
  const split = await raw(backend.url, { method: 'POST', path: '/iot/?ProductKey=a1LampDemo0', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Action=InvokeThingService&ProductKey=a1OtherProd0' });
  assert.equal(JSON.parse(split.body).Code, DENIED);
  // A body that is not a form cannot be checked.
  const json = await raw(backend.url, { method: 'POST', path: '/iot/', headers: { 'Content-Type': 'application/json' }, body: '{"Action":"InvokeThingService"}' });
  assert.equal(json.status, 415);
  // What is in scope reaches the platform (which then checks the signature).
  const ok = await raw(backend.url, { path: '/iot/?Action=QueryDevice&ProductKey=a1LampDemo0' });
  assert.notEqual(JSON.parse(ok.body).Code, DENIED);
});

test('/sts answers only its own host and its own page', async () => {
  const { port } = new URL(backend.url);
  // DNS rebinding: the attacker's name, resolving to this server.
  for (const host of ['rebind.attacker.example', `rebind.attacker.example:${port}`, `127.0.0.1:${Number(port) + 1}`]) {
    const r = await raw(backend.url, { method: 'POST', path: '/sts', headers: { Host: host, Origin: `http://${host}` } });
    assert.equal(r.status, 421, host);
    assert.ok(!r.body.includes('STS.'));
  }
  // Cross-site posts, and posts that say nothing of where they come from.
  for (const headers of [
    { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    { Origin: 'https://evil.example' },
    { Origin: 'null' },
    { 'Sec-Fetch-Site': 'cross-site' },
    { 'Sec-Fetch-Site': 'same-site' },
    {},
  ]) {
    const r = await raw(backend.url, { method: 'POST', path: '/sts', headers });
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.ok(!r.body.includes('STS.'));
  }
  // The page itself: a same-origin POST (with its Origin, or with only Sec-Fetch-Site).
  assert.equal((await raw(backend.url, { method: 'POST', path: '/sts', headers: { Origin: backend.url } })).status, 200);
  assert.equal((await raw(backend.url, { method: 'POST', path: '/sts', headers: { 'Sec-Fetch-Site': 'same-origin' } })).status, 200);
  assert.equal((await raw(backend.url, { method: 'POST', path: '/sts', headers: { Origin: `http://localhost:${port}`, Host: `localhost:${port}` } })).status, 200);
});

test("the sign-in hook decides who gets a key, and each user's key is their own", async () => {
  const users = await startBackend(configFromEnv(env()), {
    log: (l) => logged.push(l),
    authorize: async (req) => {
      const user = req.headers['x-test-user'];
      return user ? { user } : null;
    },
  });
  try {
    const ask = (user) => fetch(`${users.url}/sts`, { method: 'POST', headers: { Origin: users.url, ...(user ? { 'X-Test-User': user } : {}) } });
    assert.equal((await ask()).status, 401);
    const alice = await (await ask('alice')).json();
    const bob = await (await ask('bob')).json();
    const alice2 = await (await ask('alice')).json();
    assert.notEqual(alice.accessKeyId, bob.accessKeyId);
    assert.equal(alice2.accessKeyId, alice.accessKeyId, "a user's key is reused until it nears expiry");
  } finally {
    await users.close();
  }
});

test('a key the platform stops accepting is dropped, and the page gets a new one at once', async () => {
  let provided = 0;
  const keys = [];
  const c = page({ credentials: async () => { provided++; const k = await sts(); keys.push(k.accessKeyId); return k; } });
  await c.queryDeviceDetail({ productKey: MINE, deviceName: 'lamp-02' });
  // The platform forgets every temporary key (as when a role's sessions are revoked).
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
  const r = await c.queryDeviceDetail({ productKey: MINE, deviceName: 'lamp-02' });
  assert.equal(r.attempts, 2, 'one refused attempt, then one with a new key');
  assert.equal(provided, 2);
  assert.notEqual(keys[0], keys[1], 'the backend assumed the role anew instead of handing out the revoked key');
  assert.ok(logged.some((l) => /refused the key/.test(l)));
});

test('every answer carries the security headers; the relay passes on only the platform\'s JSON', async () => {
  for (const path of ['/', '/app.js', '/pkg/thingcall.js', '/iot/?Action=QueryDevice&ProductKey=a1LampDemo0', '/nothing', '/sts']) {
    const r = await raw(backend.url, { path });
    assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
    assert.equal(r.headers['x-frame-options'], 'DENY', path);
    assert.match(r.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/, path);
  }
  const pageCsp = (await raw(backend.url, { path: '/' })).headers['content-security-policy'];
  assert.match(pageCsp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(pageCsp, /connect-src 'self'/);
  assert.match((await raw(backend.url, { path: '/iot/?Action=QueryDevice&ProductKey=a1LampDemo0' })).headers['content-security-policy'], /sandbox/);

  // An upstream that answers with a page of its own (a captive portal, a proxy's error page).
  const { createServer } = await import('node:http');
  const html = createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<script>alert(1)</script>'); });
  await new Promise((r) => html.listen(0, '127.0.0.1', r));
  const other = await startBackend(configFromEnv(env({ THINGCALL_UPSTREAM: `http://127.0.0.1:${html.address().port}` })), { log: (l) => logged.push(l) });
  try {
    const r = await raw(other.url, { path: '/iot/?Action=QueryDevice&ProductKey=a1LampDemo0' });
    assert.equal(r.status, 502);
    assert.match(r.headers['content-type'], /^application\/json/);
    assert.ok(!r.body.includes('<script>'));
  } finally {
    await other.close();
    html.close();
  }
});

test('static files: no dotfiles, no symlink out of the served folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thingcall-static-'));
  try {
    const site = join(dir, 'site');
    mkdirSync(join(site, '.git'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<!doctype html><p>ok</p>');
    writeFileSync(join(site, '.env'), 'SECRET=1');
    writeFileSync(join(site, '.git', 'config'), '[core]');
    writeFileSync(join(dir, 'outside.txt'), 'outside');
    symlinkSync(join(dir, 'outside.txt'), join(site, 'outside.txt'));
    symlinkSync(dir, join(site, 'up'));
    const s = await startBackend(configFromEnv(env({ THINGCALL_STATIC: `/=${site}` })), { log: (l) => logged.push(l) });
    try {
      assert.equal((await raw(s.url, { path: '/' })).status, 200);
      for (const path of ['/.env', '/.git/config', '/%2eenv', '/outside.txt', '/up/outside.txt', '/up/site/.env']) {
        const r = await raw(s.url, { path });
        assert.equal(r.status, 404, path);
        assert.ok(!/SECRET|outside|core/.test(r.body), path);
      }
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The backend as a process of its own (how it is deployed), with `extra` settings. */
async function backendProcess(extra) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'deploy', 'backend', 'server.mjs')], { env: { ...process.env, ...env({ PORT: String(port), ...extra }) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => { if (String(c).includes('thingcall backend at')) resolve(); });
    child.once('exit', (code) => reject(new Error(`backend exited (${code})`)));
  });
  const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  return { url: `http://127.0.0.1:${port}`, port, child, rss, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) };
}

test('memory: 20 concurrent 8 MB posts grow the backend by at most 64 MB', { skip: process.platform !== 'linux' && 'reads /proc' }, async (t) => {
  const b = await backendProcess({});
  try {
    await raw(b.url, { path: '/' });
    const before = b.rss();
    const big = Buffer.alloc(8 << 20, 'a');
    const post = (chunked) => new Promise((resolve) => {
      const headers = { 'Content-Type': 'application/x-www-form-urlencoded', Host: `127.0.0.1:${b.port}` };
      if (!chunked) headers['Content-Length'] = big.length;
      const req = request({ host: '127.0.0.1', port: b.port, method: 'POST', path: '/iot/', headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
      req.on('error', () => resolve('closed'));
      req.end(big);
    });
    // With a length (refused at once) and chunked (refused once 4 MiB have come).
    const statuses = await Promise.all([...Array(20)].map((_, i) => post(i % 2 === 1)));
    assert.ok(statuses.every((s) => s === 413 || s === 'closed'), statuses.join(','));
    const grown = b.rss() - before;
    t.diagnostic(`the backend grew by ${(grown / 1048576).toFixed(1)} MiB`);
    assert.ok(grown <= 64 * 1024 * 1024, `grew by ${(grown / 1048576).toFixed(1)} MiB`);
    // And it still serves.
    assert.equal((await raw(b.url, { path: '/' })).status, 200);
  } finally {
    await b.stop();
  }
});

test('500 slow clients neither stop the backend serving others nor hold their connections', async () => {
  const b = await backendProcess({ THINGCALL_HEADERS_TIMEOUT_MS: '2000', THINGCALL_REQUEST_TIMEOUT_MS: '3000' });
  const sockets = [];
  const closed = new Set();
  try {
    for (let i = 0; i < 500; i++) {
      const s = connect(b.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => closed.add(s));
      s.resume(); // read what the server sends (its 408, its end), or 'close' never comes
      // Half send headers a byte at a time and never finish; half send a body that never ends.
      if (i % 2) s.write(`POST /iot/ HTTP/1.1\r\nHost: 127.0.0.1:${b.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=`);
      else s.write('GET / HTTP/1.1\r\nHost: 1');
      sockets.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const r = await raw(b.url, { path: '/' });
    assert.equal(r.status, 200);
    assert.ok(Date.now() - started < 2000, `a normal request took ${Date.now() - started} ms`);
    await new Promise((r) => setTimeout(r, 5500));
    const open = sockets.filter((s) => !closed.has(s)).length;
    assert.equal(open, 0, `${open} slow connections still open after 5.8 s`);
  } finally {
    for (const s of sockets) s.destroy();
    await b.stop();
  }
});
