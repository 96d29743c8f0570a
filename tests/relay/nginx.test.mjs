// The same-origin relay recipe, run as written: Debian's nginx on loopback with
// deploy/nginx/thingcall.conf (its four "set:" lines pointed at a temporary site, a free port and
// the emulator), in front of the emulator started with --cors off, as the real platform. A page
// nginx serves calls invoke, set and query through /iot/ (POST and GET, and a clock skew that
// the client corrects from the Date the relay passes on); the same page calling the emulator
// directly fails with NetworkError whose advice names CORS and the relay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBackendEnv, freePort, launchChromium, root, startEmulator } from '../../scripts/lib.mjs';
import { raw } from '../raw_http.mjs';
import { configFromEnv, startBackend } from '../../deploy/backend/server.mjs';

const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';

let dir, origin;
let emulator;
let nginx;
let backend;
let site;
let browser;
let page;

/** deploy/nginx/thingcall.conf with its "set:" lines replaced; each must match exactly once. */
function recipe({ listen, rootDir, platform, backend }) {
  let conf = readFileSync(join(root, 'deploy', 'nginx', 'thingcall.conf'), 'utf8');
  const swap = (re, to) => {
    const hits = conf.match(new RegExp(re.source, 'gm'))?.length ?? 0;
    assert.equal(hits, 1, `deploy/nginx/thingcall.conf: expected one line matching ${re}`);
    conf = conf.replace(new RegExp(re.source, 'm'), to);
  };
  swap(/^\s*listen\s+[^;]+;/, `    listen ${listen};`);
  swap(/^\s*root\s+[^;]+;/, `    root ${rootDir};`);
  swap(/^\s*set \$iot_platform\s+[^;]+;/, `    set $iot_platform ${platform};`);
  swap(/^\s*set \$dashboard_backend\s+[^;]+;/, `    set $dashboard_backend ${backend};`);
  swap(/^\s*resolver\s+[^;]+;/, '    resolver 127.0.0.1 valid=300s;'); // never used: the platform here is an IP
  return conf;
}

before(async () => {
  assert.ok(spawnSync(NGINX, ['-v']).status === 0, `${NGINX} is missing: npm run setup installs Debian's nginx`);
  dir = mkdtempSync(join(tmpdir(), 'thingcall-nginx-'));
  chmodSync(dir, 0o755);
  emulator = await startEmulator({ args: ['--cors', 'off', '--amqp-port', '0'] });
  // A backend for the live values only (the page here has no /sts: it settles on a typed key).
  backend = await startBackend(configFromEnv(demoBackendEnv(emulator)), { log: () => {} });
  // The dashboard's files as a deployment lays them out: the page, and the package under pkg/.
  site = join(dir, 'site');
  mkdirSync(site);
  cpSync(join(root, 'www'), site, { recursive: true });
  cpSync(join(root, 'pkg'), join(site, 'pkg'), { recursive: true });
  // What must never be served: a dotfile, and a symlink out of the site.
  writeFileSync(join(site, '.env'), 'SECRET=1\n');
  mkdirSync(join(site, '.git'));
  writeFileSync(join(site, '.git', 'config'), '[core]\n');
  writeFileSync(join(site, 'pkg', '.hidden'), 'x\n');
  writeFileSync(join(dir, 'outside.txt'), 'outside the site\n');
  symlinkSync(join(dir, 'outside.txt'), join(site, 'outside.txt'));
  const port = await freePort();
  writeFileSync(join(dir, 'thingcall.conf'), recipe({ listen: `127.0.0.1:${port}`, rootDir: site, platform: emulator.url, backend: backend.url }));
  const temp = (name) => { mkdirSync(join(dir, name)); return join(dir, name); };
  writeFileSync(join(dir, 'nginx.conf'), `
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${dir}/thingcall.conf;
}
`);
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr.on('data', (c) => { stderr += c; });
  origin = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${stderr}${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    if (await fetch(`${origin}/`).then((r) => r.ok, () => false)) break;
    if (i > 100) throw new Error(`nginx did not answer: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
  // The tests run their code in the page with `new Function`, which the recipe's
  // Content-Security-Policy forbids (its headers are checked on their own, below).
  page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(`${origin}/`);
  // The demo page, with no /sts behind this nginx, settles waiting for a typed key.
  await page.getByTestId('status').filter({ hasText: 'no backend here' }).waitFor();
});

after(async () => {
  await browser?.close();
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((r) => nginx.once('exit', r));
    nginx.kill('SIGQUIT');
    await gone;
  }
  await backend?.close();
  await emulator?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` (source of an async function of `pkg`, `relay` and `direct`) in the page. */
function inPage(body) {
  return page.evaluate(async ({ body, direct }) => {
    const pkg = await import('/pkg/thingcall.js');
    await pkg.default();
    // eslint-disable-next-line no-new-func
    return new Function('pkg', 'direct', `return (async () => {${body}})()`)(pkg, direct);
  }, { body, direct: emulator.url });
}

const SETUP = `
  const key = { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' };
  const lamp = { productKey: 'a1LampDemo0', deviceName: 'lamp-07' };
`;

test('invoke, set and query through nginx\'s /iot/, by POST and by GET', async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
  const r = await inPage(`${SETUP}
    const out = {};
    for (const method of ['POST', 'GET']) {
      const c = new pkg.IotClient({ endpoint: '/iot/', method, ...key });
      const inv = await c.invokeThingService({ ...lamp, identifier: 'Echo', args: { text: 'via nginx ' + method + ' 灯 &=%+' } });
      await c.setDeviceProperty({ ...lamp, items: { Brightness: method === 'POST' ? 31 : 62 } });
      const q = await c.queryDevicePropertyStatus(lamp);
      out[method] = { text: inv.result.data.text, endpoint: c.endpoint, brightness: q.properties.find((p) => p.identifier === 'Brightness')?.value };
    }
    return out;`);
  const origin = new URL(page.url()).origin;
  assert.deepEqual(r, {
    POST: { text: 'via nginx POST 灯 &=%+', endpoint: `${origin}/iot/`, brightness: 31 },
    GET: { text: 'via nginx GET 灯 &=%+', endpoint: `${origin}/iot/`, brightness: 62 },
  });
  const log = await (await fetch(`${emulator.url}/_emulator/log`)).json();
  assert.equal(log.filter((e) => e.device.endsWith('/lamp-07') && e.identifier === 'Echo').length, 2, 'each invoke reached the device once');
});

test('signature V3 through nginx: its Authorization and x-acs-* headers go on, the platform\'s host signed', async () => {
  const platformHost = new URL(emulator.url).host;
  const r = await inPage(`${SETUP}
    await (await import('/pkg/extras.js')).loadExtras();
    const out = [];
    for (const method of ['POST', 'GET']) {
      const c = new pkg.IotClient({ endpoint: '/iot/', method, signature: 'v3', signedHost: ${JSON.stringify(platformHost)}, ...key });
      const inv = await c.invokeThingService({ ...lamp, identifier: 'Echo', args: { text: 'v3 ' + method } });
      out.push(inv.result.data.text);
    }
    // Signed for the page's own host instead: the platform computes another signature.
    const wrong = new pkg.IotClient({ endpoint: '/iot/', signature: 'v3', ...key });
    const e = await wrong.invokeThingService({ ...lamp, identifier: 'Echo', args: {} }).catch((x) => x);
    out.push(e.code);
    return out;`);
  assert.deepEqual(r, ['v3 POST', 'v3 GET', 'SignatureDoesNotMatch']);
});

test('nginx forwards the platform API path only: its other paths and the emulator\'s test control are 404', async () => {
  // (`/iot//` is `/iot/` to nginx, which merges slashes: the API path.)
  for (const path of ['/iot/_emulator/log', '/iot/_emulator/reset', '/iot/x', '/iot/%2e%2e/_emulator/log', '/iot/..%2f_emulator/log', '/iot/./_emulator/log', '/iot/?/../_emulator/log']) {
    const method = path.endsWith('reset') ? 'POST' : 'GET';
    const r = await raw(origin, { method, path, body: method === 'POST' ? '{}' : undefined });
    if (path.startsWith('/iot/?')) {
      // A query, not a path: it goes to the platform's root, not to the test control's log.
      assert.ok(!r.body.trimStart().startsWith('['), `${path}: ${r.body.slice(0, 80)}`);
    } else {
      assert.equal(r.status, 404, `${method} ${path}: ${r.status}`);
    }
  }
  // The API itself still answers through it.
  assert.equal((await (await fetch(`${origin}/iot/?Action=QueryProductList`)).json()).Code, 'MissingParameter');
});

test('nginx: the page and the relay\'s answers carry the security headers', async () => {
  for (const path of ['/', '/pkg/thingcall.js', '/iot/?Action=QueryProductList', '/nothing-here']) {
    const r = await fetch(`${origin}${path}`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(r.headers.get('x-frame-options'), 'DENY', path);
    assert.match(r.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
  }
  const page = await fetch(`${origin}/`);
  assert.match(page.headers.get('content-security-policy'), /script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'/);
  const api = await fetch(`${origin}/iot/?Action=QueryProductList`);
  assert.match(api.headers.get('content-security-policy'), /sandbox/);
});

test('nginx: no dotfiles, no symlink out of the site, no body above 4 MiB', async () => {
  for (const path of ['/.env', '/.git/config', '/pkg/.hidden', '/outside.txt']) {
    assert.equal((await raw(origin, { path })).status, 404, path);
  }
  const big = await fetch(`${origin}/iot/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `Action=QueryProductList&x=${'a'.repeat(5 << 20)}` });
  assert.equal(big.status, 413);
  const fine = await fetch(`${origin}/iot/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `Action=QueryProductList&x=${'a'.repeat(3 << 20)}` });
  assert.equal((await fine.json()).Code, 'MissingParameter', 'a body under the limit reaches the platform');
});

test('through the relay the client corrects a clock skew from the platform\'s Date', async () => {
  await fetch(`${emulator.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ offsetMs: 20 * 60 * 1000 }) });
  try {
    const r = await inPage(`${SETUP}
      const c = new pkg.IotClient({ endpoint: '/iot/', ...key });
      const d = await c.queryDeviceDetail(lamp);
      return { attempts: d.attempts, offset: c.clockOffsetMs };`);
    assert.equal(r.attempts, 2);
    assert.ok(Math.abs(r.offset - 1_200_000) < 3000, `offset ${r.offset}`);
  } finally {
    await fetch(`${emulator.url}/_emulator/clock`, { method: 'POST', body: JSON.stringify({ offsetMs: 0 }) });
  }
});

test('the same page calling the emulator directly (no CORS) fails with NetworkError naming CORS and the relay', async () => {
  const before = (await (await fetch(`${emulator.url}/_emulator/log`)).json()).length;
  // Signed either way: V3's headers make the browser ask a preflight first, which fails the same.
  for (const signature of ['v1', 'v3']) {
    const e = await inPage(`${SETUP}
      await (await import('/pkg/extras.js')).loadExtras();
      const c = new pkg.IotClient({ endpoint: direct, ...key, retry: { maxAttempts: 1 }, signature: '${signature}' });
      try {
        await c.queryDeviceDetail(lamp);
        return null;
      } catch (e) {
        return { instance: e instanceof pkg.ThingcallError, code: e.code, outcome: e.outcome, message: e.message };
      }`);
    assert.ok(e, `${signature}: the direct call succeeded: the emulator is not behaving as the platform (CORS off)`);
    assert.equal(e.instance, true);
    assert.equal(e.code, 'NetworkError', signature);
    assert.equal(e.outcome, 'unknown');
    assert.match(e.message, /CORS/);
    assert.match(e.message, /same-origin relay/);
    assert.match(e.message, /'\/iot\/'/);
  }
  assert.equal((await (await fetch(`${emulator.url}/_emulator/log`)).json()).length, before);
});

test('nginx passes the live values at /events as they come (no buffering)', async () => {
  const ctl = new AbortController();
  const r = await fetch(`${origin}/events`, { headers: { 'Sec-Fetch-Site': 'same-origin' }, signal: ctl.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/event-stream/);
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  const reader = r.body.getReader();
  await reader.read(); // the stream's first comment: it is open end to end
  const started = Date.now();
  const set = fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' }).then(() => import('../node/helpers.mjs'))
    .then(({ thingcall }) => new thingcall.IotClient({ endpoint: `${emulator.url}/`, accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' })
      .setDeviceProperty({ productKey: 'a1LampDemo0', deviceName: 'lamp-09', items: { Brightness: 44 } }));
  let text = '';
  const decoder = new TextDecoder();
  while (!/"lamp-09".*"Brightness":\{[^}]*"value":44/.test(text)) {
    const { value, done } = await Promise.race([reader.read(), new Promise((_, no) => setTimeout(() => no(new Error(`nothing within 2 s: ${text}`)), 2000))]);
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await set;
  assert.match(text, /event: property/);
  assert.ok(Date.now() - started < 2000);
  ctl.abort();
});
