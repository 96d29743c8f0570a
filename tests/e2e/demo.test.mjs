// End-to-end: the demo page in headless Chromium (playwright-core driving Debian's chromium)
// against the emulator: devices listed, Echo on lamp-01, the offline error, setting Brightness,
// no console errors, keyboard use, phone width. Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { root, startEmulator } from '../../scripts/lib.mjs';

const shots = join(root, 'target', 'e2e');
mkdirSync(shots, { recursive: true });

let browser;
let page;
let url;
let ownEmulator;
const consoleErrors = [];

before(async () => {
  url = process.env.THINGCALL_EMULATOR_URL;
  if (!url) {
    ownEmulator = await startEmulator();
    url = ownEmulator.url;
  }
  await fetch(`${url}/_emulator/reset`, { method: 'POST' });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(`${url}/`);
});

after(async () => {
  await browser?.close();
  await ownEmulator?.stop();
});

const tid = (id) => page.getByTestId(id);

test('the device list comes from the API', async () => {
  await tid('device-lamp-01').waitFor();
  assert.equal(await page.locator('[data-testid=device-list] li').count(), 21);
  assert.match(await tid('device-lamp-offline').innerText(), /offline/);
  assert.match(await tid('status').innerText(), /Connected · 21 devices/);
  assert.match(await tid('sts-info').innerText(), /Temporary key STS\./);
});

test('Echo on lamp-01 shows the device result, ids, attempts and the signed request', async () => {
  await tid('device-lamp-01').click();
  await tid('service-select').selectOption('Echo');
  await tid('arg-text').fill('héllo 灯 😀');
  await tid('arg-x').fill('10');
  await tid('invoke-button').click();
  await tid('result').filter({ hasText: 'héllo' }).waitFor();
  const result = JSON.parse(await tid('result').innerText());
  assert.equal(result.code, 200);
  assert.deepEqual(result.data, { text: 'héllo 灯 😀', x: 10 });
  assert.equal(await tid('answer-mode').innerText(), 'sync');
  assert.match(await tid('answer-request-id').innerText(), /^[0-9A-F-]{36}$/);
  assert.equal(await tid('answer-attempts').innerText(), '1');
  await tid('request-details').locator('summary').click();
  assert.match(await tid('req-sts').innerText(), /^POST&%2F&AccessKeyId%3DSTS\./);
  assert.match(await tid('req-curl').innerText(), /^curl -X POST/);
  const details = await tid('request-details').innerText();
  assert.match(details, /SecurityToken\s+\*\* redacted \*\*/);
});

test('an offline device shows the code, the outcome and the advice, not a stack trace', async () => {
  await tid('device-lamp-offline').click();
  await tid('selected-device').filter({ hasText: 'offline' }).waitFor();
  await tid('service-select').selectOption('Echo');
  await tid('invoke-button').click();
  await tid('error-code').filter({ hasText: 'iot.messagebroker.OFFLINE' }).waitFor();
  assert.equal(await tid('error-outcome').innerText(), 'rejected');
  assert.match(await tid('error-message').innerText(), /offline: nothing was delivered/);
  assert.doesNotMatch(await tid('error-message').innerText(), /at .*\.js:\d+/);
});

test('a device that does not answer in time shows TIMEOUT with outcome unknown', async () => {
  await fetch(`${url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ deviceTimeoutNext: 1, rrpcTimeoutMs: 300 }) });
  await tid('device-lamp-06').click();
  await tid('selected-device').filter({ hasText: 'lamp-06' }).waitFor();
  await tid('service-select').selectOption('Echo');
  await tid('invoke-button').click();
  await tid('error-code').filter({ hasText: 'iot.messagebroker.TIMEOUT' }).waitFor();
  assert.equal(await tid('error-outcome').innerText(), 'unknown');
  assert.match(await tid('error-message').innerText(), /may have acted/);
  await fetch(`${url}/_emulator/faults`, { method: 'POST', body: '{}' });
});

test('setting Brightness updates the value shown', async () => {
  await tid('device-lamp-02').click();
  await tid('selected-device').filter({ hasText: 'lamp-02' }).waitFor();
  await tid('property-input-Brightness').waitFor();
  await tid('property-input-Brightness').fill('73');
  await tid('property-set-Brightness').click();
  await tid('property-value-Brightness').filter({ hasText: '73 %' }).waitFor();
  assert.match(await tid('call-log').innerText(), /SetDeviceProperty\s+lamp-02\s+ok/);
  await page.screenshot({ path: join(shots, 'demo-1280x800.png'), fullPage: true });
});

test('usable from the keyboard', async () => {
  await tid('device-lamp-03').focus();
  await page.keyboard.press('Enter');
  await tid('selected-device').filter({ hasText: 'lamp-03' }).waitFor();
  await tid('service-select').focus();
  await tid('service-select').selectOption('Blink');
  await tid('arg-times').focus();
  await page.keyboard.type('2');
  await page.keyboard.press('Enter'); // submits the invoke form
  await tid('answer-mode').filter({ hasText: 'async' }).waitFor();
  const log = await (await fetch(`${url}/_emulator/log`)).json();
  assert.ok(log.some((e) => e.device.endsWith('/lamp-03') && e.identifier === 'Blink' && e.args.times === 2));
});

test('a wrong secret shows SignatureDoesNotMatch and its advice, and the page recovers', async () => {
  await tid('cred-static').check();
  await tid('aksecret').fill('not-the-right-secret');
  await tid('connect').click();
  await tid('error-code').filter({ hasText: 'SignatureDoesNotMatch' }).waitFor();
  assert.match(await tid('error-message').innerText(), /AccessKeySecret/);
  assert.match(await tid('status').innerText(), /Not connected/);
  assert.ok(!(await page.locator('body').innerText()).includes('not-the-right-secret'));
  await tid('cred-sts').check();
  await tid('aksecret').fill('thingcall-demo-secret');
  await tid('connect').click();
  await tid('status').filter({ hasText: 'Connected · 21 devices' }).waitFor();
});

test('the package works in a module Web Worker too (signing and a call)', async () => {
  const r = await page.evaluate(async (origin) => {
    const src = `
      import init, { signRpc, IotClient } from '${origin}/pkg/thingcall.js';
      await init();
      const { signature } = signRpc({ method: 'GET', accessKeySecret: 'secret', params: { query: 'test', body: 'test' } });
      const c = new IotClient({ endpoint: '${origin}/', accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' });
      const r = await c.invokeThingService({ productKey: 'a1LampDemo0', deviceName: 'lamp-05', identifier: 'Echo', args: { text: 'from a worker' } });
      postMessage({ signature, text: r.result.data.text, inWorker: typeof window === 'undefined' });`;
    const worker = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.onmessage = (e) => { resolve(e.data); worker.terminate(); };
      worker.onerror = (e) => reject(new Error(e.message));
    });
  }, url);
  assert.deepEqual(r, { signature: 'XlUyV4sXjOuX5FnjUz9IF9tm5rU=', text: 'from a worker', inWorker: true });
});

test('never shows the secret or the security token; no console errors; phone width', async () => {
  const html = await page.content();
  assert.ok(!html.includes('CAIS'), 'no security token in the page');
  const text = await page.locator('body').innerText();
  assert.ok(!text.includes('thingcall-demo-secret'));
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(shots, 'demo-390x844.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling at phone width (${overflow}px)`);
  for (const input of await page.locator('input, select, textarea').all()) {
    const labelled = await input.evaluate((n) => Boolean(n.labels?.length || n.getAttribute('aria-label')));
    assert.ok(labelled, `every input has a label: ${await input.evaluate((n) => n.outerHTML)}`);
  }
  // The browser itself logs every HTTP 4xx answer; the platform's gateway errors are 4xx by design
  // (the wrong-secret case above). Everything else would be the page's own error.
  const own = consoleErrors.filter((m) => !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m));
  assert.deepEqual(own, []);
});
