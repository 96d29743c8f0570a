// 1,000 synchronous invokes over 20 devices at concurrency 32 with the emulator failing 10 % of
// requests with 503, throttling 10 %, dropping 5 % of answers after the action ran, and letting
// 2 % of devices miss a 200 ms RRPC window: every call settles, nothing runs twice, and every
// call that ran without an ok answer is reported `unknown` (scripts/faultrun.mjs; `npm run soak`
// runs the same for 100,000 calls).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thingcall, emulatorUrl, DEMO, PK } from './helpers.mjs';
import { faultRun } from '../../scripts/faultrun.mjs';

test('1,000 invokes under faults: all settle, none twice, the unknown ones account for the dropped and timed out', async (t) => {
  const { figures, violations } = await faultRun({ IotClient: thingcall.IotClient, url: await emulatorUrl(), key: DEMO, productKey: PK });
  t.diagnostic(JSON.stringify(figures));
  assert.deepEqual(violations, []);
  assert.equal(figures.ok + figures.rejected + figures.notSent + figures.unknown, 1000);
  // The faults did happen, and were told apart.
  assert.ok(figures.ok > 600, `ok ${figures.ok}`);
  assert.ok(figures.unknownReached > 0, 'some calls ran and lost their answer');
  assert.ok(figures.attempts > 1000, 'retries happened (after 503s and throttling)');
});
