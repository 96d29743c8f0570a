// Signature robustness in headless Chromium: 10,000 random requests signed by the shipped
// package's signRpc and 1,000 sent by IotClient.call, every one verified by the emulator's own
// code (tests/browser/signatures.js), 0 mismatches. THINGCALL_SIGNATURE_SEED replays a run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, root, sharedEmulator } from '../../scripts/lib.mjs';

const body = readFileSync(join(root, 'tests', 'browser', 'signatures.js'), 'utf8');

let emulator;
let url;

before(async () => {
  emulator = await sharedEmulator();
  url = emulator.url;
});

after(async () => {
  await emulator?.stop();
});

test('10,000 random signatures made in Chromium match the emulator\'s', { timeout: 600_000 }, async () => {
  const seed = Number(process.env.THINGCALL_SIGNATURE_SEED || Math.floor(Math.random() * 2 ** 32));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/_emulator/stats`);
    const r = await page.evaluate(
      ({ origin, body, seed }) => new Function('origin', 'seed', 'count', 'calls', `return (async () => {${body}})()`)(origin, seed, 10_000, 1_000),
      { origin: url, body, seed },
    );
    console.log(`seed ${seed}: ${r.signed} signed by signRpc, ${r.sent} sent by IotClient.call, ${r.mismatches} mismatches`);
    assert.equal(r.signed, 10_000);
    assert.equal(r.sent, 1_000);
    assert.equal(r.mismatches, 0, `seed ${seed} (THINGCALL_SIGNATURE_SEED=${seed} replays it):\n${r.first.map((f) => JSON.stringify(f)).join('\n')}`);
  } finally {
    await browser.close();
  }
});
