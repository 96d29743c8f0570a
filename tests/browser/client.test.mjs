// The shipped package (pkg/thingcall.js) in real browsers: tests/browser/scenarios.js runs in a
// page of the emulator's origin, in headless Chromium (playwright-core with Debian's chromium)
// and in headless Firefox (WebDriver through geckodriver, which `npm run setup` installs), once
// signing with V1 and once with V3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, freePort, launchChromium, root, sharedEmulator } from '../../scripts/lib.mjs';

const body = readFileSync(join(root, 'tests', 'browser', 'scenarios.js'), 'utf8');

let emulator;
let url;

before(async () => {
  emulator = await sharedEmulator();
  url = emulator.url;
});

after(async () => {
  await emulator?.stop();
});

function assertAllPassed(results) {
  assert.ok(Array.isArray(results) && results.length > 0, `no results: ${JSON.stringify(results)}`);
  const names = (signature) => results.filter(([name]) => name.startsWith(`${signature}: `)).map(([name]) => name.slice(4));
  assert.ok(names('v1').length >= 10, 'the scenarios ran');
  assert.deepEqual(names('v3'), names('v1'), 'every scenario ran with both signatures');
  const failed = results.filter(([, error]) => error);
  assert.deepEqual(failed, [], failed.map(([name, error]) => `${name}: ${error}`).join('\n'));
}

test('IotClient in headless Chromium', async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    const results = [];
    for (const signature of ['v1', 'v3']) {
      // eslint-disable-next-line no-new-func
      results.push(...await page.evaluate(({ origin, signature, body }) => new Function('origin', 'signature', `return (async () => {${body}})()`)(origin, signature), { origin: url, signature, body }));
    }
    assertAllPassed(results);
  } finally {
    await browser.close();
  }
});

test('IotClient in headless Firefox', async () => {
  const port = await freePort();
  const driver = spawn('geckodriver', ['--port', String(port)], { env, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  const wd = async (method, path, payload) => {
    const r = await fetch(`${base}${path}`, { method, body: payload && JSON.stringify(payload), headers: { 'Content-Type': 'application/json' } });
    const json = await r.json();
    if (!r.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  };
  let session;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await wd('GET', '/status')).ready) break;
      } catch (e) {
        if (i > 100) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    session = (await wd('POST', '/session', {
      capabilities: { alwaysMatch: { browserName: 'firefox', 'moz:firefoxOptions': { args: ['-headless'] } } },
    })).sessionId;
    await wd('POST', `/session/${session}/timeouts`, { script: 120_000 });
    await wd('POST', `/session/${session}/url`, { url: `${url}/` });
    const script = `const done = arguments[arguments.length - 1];
      (async (origin, signature) => {${body}})(arguments[0], arguments[1]).then(done, (e) => done([['page', String(e && e.stack || e)]]));`;
    const results = [];
    for (const signature of ['v1', 'v3']) results.push(...await wd('POST', `/session/${session}/execute/async`, { script, args: [url, signature] }));
    assertAllPassed(results);
  } finally {
    if (session) await wd('DELETE', `/session/${session}`).catch(() => {});
    driver.kill();
  }
});
