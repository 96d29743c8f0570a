// A Vite app as a user builds one: the package as `npm pack` makes it, installed into the app;
// a page whose module does a top-level `await init()`, invokes `Echo` and loads the second entry
// (`thingcall/extras`) for a self-test; the proxy config of
// docs/deploying.md (its target pointed at an emulator with CORS off, as the platform); `vite
// build`, then `vite preview` serving it; the page in headless Chromium. The same page runs the
// README's quick start as written, against an emulator with CORS on as `npm run emulator` starts
// it. No network: Vite is a devDependency of this repository.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, launchChromium, root, startEmulator } from '../../scripts/lib.mjs';

const app = join(root, 'target', 'vite-app');
const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
const PLATFORM = 'https://iot.cn-shanghai.aliyuncs.com';

let emulator;
let direct; // the quick start's emulator: CORS on
let preview;
let origin;
let browser;

/** The README's quick start, as written. */
function quickStart() {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- example: run -->\n```js\n([\s\S]*?)\n```/.exec(text);
  assert.ok(m, 'README.md has its quick start');
  return m[1];
}

/** The Vite config block of docs/deploying.md, as written. */
function documentedConfig() {
  const text = readFileSync(join(root, 'docs', 'deploying.md'), 'utf8');
  const m = /<!-- example: check -->\n( *)```ts\n([\s\S]*?)\n\1```/.exec(text.slice(text.indexOf('Vite as the relay')));
  assert.ok(m, 'docs/deploying.md has a Vite config block');
  const code = m[2].split('\n').map((l) => l.slice(m[1].length)).join('\n');
  assert.ok(code.includes(`target: '${PLATFORM}'`));
  return code;
}

const MAIN = `
import init, { IotClient } from 'thingcall';
import { loadExtras } from 'thingcall/extras';

await init();
const client = new IotClient({ endpoint: '/iot/', accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' });
const out = document.querySelector('#out');
try {
  const answer = await client.invokeThingService({ productKey: 'a1LampDemo0', deviceName: 'lamp-01', identifier: 'Echo', args: { text: 'from Vite' } });
  // The second entry, fetched as Vite emitted it, for the self-test.
  await loadExtras();
  const report = await client.selfTest();
  out.textContent = JSON.stringify({ data: answer.result?.data, endpoint: client.endpoint, selfTest: report.ok });
} catch (e) {
  out.textContent = 'failed: ' + e.message;
}
`;

before(async () => {
  emulator = await startEmulator({ args: ['--cors', 'off'] });
  direct = await startEmulator();
  rmSync(app, { recursive: true, force: true });
  mkdirSync(join(app, 'node_modules', 'thingcall'), { recursive: true });
  // The package as published: npm pack, then unpacked where npm install would put it.
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = join(app, JSON.parse(pack.stdout)[0].filename);
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', 'thingcall'), '--strip-components=1']);
  assert.equal(untar.status, 0, String(untar.stderr));
  assert.ok(existsSync(join(app, 'node_modules', 'thingcall', 'pkg', 'thingcall_bg.wasm')));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
  writeFileSync(join(app, 'index.html'), '<!doctype html>\n<html><head><link rel="icon" href="data:,"></head><body><output id="out"></output><script type="module" src="/main.js"></script></body></html>\n');
  writeFileSync(join(app, 'main.js'), MAIN);
  writeFileSync(join(app, 'quickstart.html'), '<!doctype html>\n<html><head><link rel="icon" href="data:,"></head><body><script type="module" src="/quickstart.js"></script></body></html>\n');
  writeFileSync(join(app, 'quickstart.js'), quickStart().replace('http://127.0.0.1:8686/', `${direct.url}/`));
  const pages = "build: { rollupOptions: { input: ['index.html', 'quickstart.html'] } },";
  writeFileSync(join(app, 'vite.config.ts'), documentedConfig().replace(PLATFORM, emulator.url).replace('export default {', `export default {\n  ${pages}`));
  const build = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: app, encoding: 'utf8' });
  assert.equal(build.status, 0, `vite build failed:\n${build.stdout}${build.stderr}`);

  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  preview = spawn(process.execPath, [vite, 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; ; i++) {
    if (preview.exitCode !== null) throw new Error('vite preview exited');
    if (await fetch(`${origin}/`).then((r) => r.ok, () => false)) break;
    if (i > 150) throw new Error('vite preview did not answer');
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (preview && preview.exitCode === null) {
    const gone = new Promise((r) => preview.once('exit', r));
    preview.kill('SIGTERM');
    await gone;
  }
  await emulator?.stop();
  await direct?.stop();
});

test('a Vite app built from the packed package invokes Echo through the documented proxy', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  const wasm = [];
  page.on('request', (r) => { if (/\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(new URL(r.url()).pathname); });
  await page.goto(`${origin}/`);
  await page.locator('#out').filter({ hasText: /\S/ }).waitFor({ timeout: 20_000 });
  // Both entries' wasm files, as Vite emitted them.
  assert.deepEqual(wasm.map((p) => p.replace(/-[\w-]+\.wasm$/, '.wasm')).sort(), ['/assets/thingcall_bg.wasm', '/assets/thingcall_extras_bg.wasm'], wasm.join(', '));
  const shown = await page.locator('#out').innerText();
  assert.deepEqual(JSON.parse(shown.startsWith('{') ? shown : '{}'), { data: { text: 'from Vite' }, endpoint: `${origin}/iot/`, selfTest: true }, shown);
  assert.deepEqual(errors, [], 'the console stays clean');
  await page.close();
});

test('the documented proxy forwards the API path only', async () => {
  // The emulator's test control is not reachable through it (Vite answers with the app's page).
  const r = await fetch(`${origin}/iot/_emulator/log`);
  assert.ok(!(await r.text()).trimStart().startsWith('['), 'the emulator\'s log came through the proxy');
  const api = await (await fetch(`${origin}/iot/?Action=QueryProductList`)).json();
  assert.equal(api.Code, 'MissingParameter');
});

test("the README's quick start, as written, in a page built by Vite", async () => {
  const page = await browser.newPage();
  const logged = [];
  const errors = [];
  page.on('console', async (m) => {
    if (m.type() === 'error') errors.push(m.text());
    if (m.type() === 'log') logged.push(await Promise.all(m.args().map((a) => a.jsonValue())));
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const wasm = [];
  page.on('request', (r) => { if (/\.wasm$/.test(new URL(r.url()).pathname)) wasm.push(new URL(r.url()).pathname); });
  await page.goto(`${origin}/quickstart.html`);
  for (let i = 0; i < 200 && !logged.length && !errors.length; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(errors, []);
  assert.deepEqual(logged, [['Echo answered', { text: 'hello' }, 'in', 1, 'attempt(s)']]);
  // A page that only makes calls loads the first entry's wasm, not the second's.
  assert.equal(wasm.length, 1, wasm.join(', '));
  assert.match(wasm[0], /thingcall_bg-[^/]*\.wasm$/);
  await page.close();
});
