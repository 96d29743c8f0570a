// The platform's own Node SDK (@alicloud/pop-core, unchanged) against the emulator: the emulator is
// faithful enough for official SDKs, and verifies signatures it did not make.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import RPCClient from '@alicloud/pop-core';
import { emulatorUrl, control, DEMO, PK } from './helpers.mjs';

const clients = [];
async function sdk(secret = DEMO.accessKeySecret) {
  const c = new RPCClient({
    accessKeyId: DEMO.accessKeyId,
    accessKeySecret: secret,
    endpoint: await emulatorUrl(),
    apiVersion: '2018-01-20',
  });
  clients.push(c);
  return c;
}
after(() => clients.forEach((c) => c.keepAliveAgent.destroy()));

const echo = { ProductKey: PK, DeviceName: 'lamp-01', Identifier: 'Echo', Args: JSON.stringify({ text: 'pop-core 灯 ~*' }) };

test('pop-core invokes Echo on lamp-01 by GET and by POST and gets the Result back', async () => {
  await control('reset');
  for (const opts of [{}, { method: 'POST' }]) {
    const r = await (await sdk()).request('InvokeThingService', echo, opts);
    assert.equal(r.Success, true);
    const result = JSON.parse(r.Data.Result);
    assert.equal(result.code, 200);
    assert.deepEqual(result.data, { text: 'pop-core 灯 ~*' });
    assert.ok(r.Data.MessageId);
  }
});

test('pop-core with a wrong secret gets SignatureDoesNotMatch', async () => {
  await assert.rejects((await sdk('not-the-secret')).request('InvokeThingService', echo, { method: 'POST' }), (e) => {
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.match(e.message, /server string to sign is:POST&%2F&/);
    return true;
  });
});

test('pop-core sees business errors as the platform sends them (HTTP 200, Success false)', async () => {
  await assert.rejects((await sdk()).request('InvokeThingService', { ...echo, DeviceName: 'lamp-offline' }), (e) => {
    assert.equal(e.code, 'iot.messagebroker.OFFLINE');
    assert.equal(e.entry.response.statusCode, 200);
    assert.equal(e.data.Success, false);
    assert.ok(e.data.ErrorMessage);
    return true;
  });
});
