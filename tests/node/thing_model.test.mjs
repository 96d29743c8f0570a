// Arguments checked against the thing model: thingModel() reads and keeps a product's model;
// with checkArgs, invokes, sets and bulk calls are checked before sending (the parameter and the
// rule named), and a float written as an integer is sent with its decimal point, which the
// platform requires.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { client, control, deviceLog, emulatorUrl, PK, rejection } from './helpers.mjs';

const lamp = { productKey: PK, deviceName: 'lamp-01' };
const stats = async () => (await fetch(`${await emulatorUrl()}/_emulator/stats`)).json();

beforeEach(async () => {
  await control('reset');
});

test('thingModel reads the product\'s TSL once', async () => {
  const c = await client();
  const before = (await stats()).requests;
  const m = await c.thingModel(PK);
  assert.equal(m.productKey, PK);
  const brightness = m.properties.find((p) => p.identifier === 'Brightness');
  assert.deepEqual(brightness, { identifier: 'Brightness', name: 'Brightness', accessMode: 'rw', dataType: { type: 'int', min: 0, max: 100, unit: '%' } });
  assert.equal(m.properties.find((p) => p.identifier === 'Temperature').accessMode, 'r');
  const echo = m.services.find((s) => s.identifier === 'Echo');
  assert.equal(echo.callType, 'sync');
  assert.deepEqual(echo.inputData.map((p) => [p.identifier, p.dataType.type]), [['text', 'text'], ['n', 'int'], ['x', 'double']]);
  assert.equal(m.services.find((s) => s.identifier === 'Blink').callType, 'async');
  await c.thingModel(PK);
  assert.equal((await stats()).requests - before, 1, 'fetched once, then kept');
  c.forgetThingModels();
  await c.thingModel(PK);
  assert.equal((await stats()).requests - before, 2);
  const e = await rejection(c.thingModel('noSuchProduct'));
  assert.equal(e.code, 'iot.prod.NotExistedProduct');
  c.free();
});

test('checkArgs sends a float written as an integer with its decimal point', async () => {
  const c = await client();
  // Without the check the platform refuses 10 for a double.
  const refused = await rejection(c.invokeThingService({ ...lamp, identifier: 'Echo', args: { x: 10 } }));
  assert.equal(refused.code, 'iot.common.InvalidFormattedParameter');
  const r = await c.invokeThingService({ ...lamp, identifier: 'Echo', args: { x: 10, n: 3, text: 'hi' } }, { checkArgs: true });
  assert.deepEqual(r.result.data, { x: 10, n: 3, text: 'hi' });
  // As a string, the rest is sent exactly as written.
  const s = await c.invokeThingService({ ...lamp, identifier: 'Echo', args: '{"text":"a\\u00e9","x":2.50}' }, { checkArgs: true });
  assert.equal(s.result.data.text, 'aé');
  assert.equal((await deviceLog()).length, 2);
  c.free();
});

test('a violation names the parameter and the rule, and nothing is sent', async () => {
  const c = await client({ checkArgs: true });
  await c.thingModel(PK);
  const before = (await stats()).requests;
  const cases = [
    [() => c.invokeThingService({ ...lamp, identifier: 'Set', args: { Brightness: 101 } }), 'invokeThingService.args.Brightness: 101 is above the maximum 100 (thing model of a1LampDemo0, rule: range)'],
    [() => c.invokeThingService({ ...lamp, identifier: 'Set', args: { Brightness: 5.5 } }), /args\.Brightness: expected an integer \(int\).*rule: type/],
    [() => c.invokeThingService({ ...lamp, identifier: 'Set', args: { LightSwitch: true } }), /args\.LightSwitch: expected 0 or 1 \(bool\)/],
    [() => c.invokeThingService({ ...lamp, identifier: 'Echo', args: { text: 'x'.repeat(2049) } }), /args\.text: longer than 2048 characters.*rule: length/],
    [() => c.invokeThingService({ ...lamp, identifier: 'Echo', args: { colour: 'red' } }), /args\.colour: not an input of service \(known: text, n, x\).*rule: identifier/],
    [() => c.invokeThingService({ ...lamp, identifier: 'Reboot' }), /invokeThingService\.identifier: Reboot: no such service in the thing model of a1LampDemo0/],
    [() => c.invokeThingService({ ...lamp, identifier: 'Blink', args: { times: 0 } }), /args\.times: 0 is below the minimum 1/],
    [() => c.setDeviceProperty({ ...lamp, items: { Temperature: 20.5 } }), /setDeviceProperty\.items\.Temperature: the property is read-only.*rule: read-only/],
    [() => c.setDeviceProperty({ ...lamp, items: { Colour: 1 } }), /items\.Colour: no such property/],
    [() => c.setDeviceProperty({ ...lamp, items: '{"Brightness": -1}' }), /items\.Brightness: -1 is below the minimum 0/],
    [() => c.invokeThingService({ iotId: 'abc', identifier: 'Echo' }), /checkArgs needs the device's productKey/],
    [() => c.invokeMany([lamp, { iotId: 'abc' }], { identifier: 'Echo' }), /checkArgs needs every target's productKey \(targets\[1\]/],
    [() => c.invokeMany([lamp], { identifier: 'Set', args: { Brightness: 500 } }), /invokeMany\.args\.Brightness: 500 is above the maximum 100/],
    [() => c.setPropertyMany([lamp], { items: { Temperature: 1.5 } }), /setPropertyMany\.items\.Temperature: the property is read-only/],
  ];
  for (const [call, message] of cases) {
    const e = await rejection(call());
    assert.equal(e.code, 'InvalidArgument', String(message));
    assert.equal(e.outcome, 'not_sent');
    if (typeof message === 'string') assert.ok(e.message.includes(`InvalidArgument: ${message} `), e.message);
    else assert.match(e.message, message);
  }
  assert.equal((await stats()).requests, before, 'nothing was sent');
  // The call's own option wins over the client's.
  const off = await rejection(c.invokeThingService({ ...lamp, identifier: 'Set', args: { Brightness: 101 } }, { checkArgs: false }));
  assert.equal(off.code, 'iot.common.InvalidFormattedParameter', 'sent, and refused by the platform');
  c.free();
});

test('bulk calls check once per product and send the written Args', async () => {
  const c = await client();
  const lamps = Array.from({ length: 20 }, (_, i) => ({ productKey: PK, deviceName: `lamp-${String(i + 1).padStart(2, '0')}` }));
  const before = (await stats()).requests;
  const entries = await c.invokeMany(lamps, { identifier: 'Echo', args: { x: 7 } }, { checkArgs: true });
  assert.ok(entries.every((e) => e.ok), entries.find((e) => !e.ok)?.error?.message);
  assert.equal((await stats()).requests - before, 21, 'one QueryThingModel, then the 20 invokes');
  const sets = await c.setPropertyMany(lamps, { items: { Brightness: 9 } }, { checkArgs: true, batch: true });
  assert.ok(sets.every((e) => e.ok));
  c.free();
});

test('checkArgs is refused when it is not a boolean', async () => {
  const c = await client();
  const e = await rejection(c.invokeThingService({ ...lamp, identifier: 'Echo' }, { checkArgs: 'yes' }));
  assert.match(e.message, /options\.checkArgs: must be a boolean/);
  c.free();
});
