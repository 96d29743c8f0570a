// The platform's generated Node SDK for IoT Platform 2018-01-20 (@alicloud/iot20180120 over
// @alicloud/openapi-client, unchanged), which signs with V3 (ACS3-HMAC-SHA256) by default,
// against the emulator: the emulator verifies a V3 signature it did not make, from an
// implementation that is not thingcall's; a wrong secret is refused as the platform refuses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as iot from '@alicloud/iot20180120';
import { Config } from '@alicloud/openapi-client';
import { emulatorUrl, control, deviceLog, DEMO, PK } from './helpers.mjs';

const Client = iot.default.default ?? iot.default;
const { InvokeThingServiceRequest, QueryDeviceDetailRequest, SetDevicePropertyRequest } = iot.default;

async function sdk(options = {}) {
  const url = new URL(await emulatorUrl());
  return new Client(new Config({ ...DEMO, endpoint: url.host, protocol: 'http', regionId: 'cn-shanghai', ...options }));
}

test('the official SDK (V3 by default) invokes Echo, sets a property and reads a device', async () => {
  await control('reset');
  const c = await sdk();
  const args = { text: "灯 😀 ~*'() &=+%20", n: -1 };
  const r = await c.invokeThingService(new InvokeThingServiceRequest({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo', args: JSON.stringify(args) }));
  assert.equal(r.body.success, true);
  assert.deepEqual(JSON.parse(r.body.data.result).data, args);
  assert.match(r.body.data.messageId, /^\d+$/);
  const s = await c.setDeviceProperty(new SetDevicePropertyRequest({ productKey: PK, deviceName: 'lamp-02', items: JSON.stringify({ Brightness: 12 }) }));
  assert.equal(s.body.success, true);
  const d = await c.queryDeviceDetail(new QueryDeviceDetailRequest({ productKey: PK, deviceName: 'lamp-02' }));
  assert.equal(d.body.data.deviceName, 'lamp-02');
  assert.deepEqual((await deviceLog()).map((e) => e.identifier), ['Echo', 'set']);
});

test('a wrong secret: SignatureDoesNotMatch, and nothing reached the device', async () => {
  await control('reset');
  const c = await sdk({ accessKeySecret: 'not-the-secret' });
  await assert.rejects(
    c.invokeThingService(new InvokeThingServiceRequest({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo', args: '{}' })),
    (e) => e.code === 'SignatureDoesNotMatch' && /server string to sign is:ACS3-HMAC-SHA256/.test(e.message),
  );
  assert.deepEqual(await deviceLog(), []);
});
