// The bad-input catalog: every case is refused with a ThingcallError before anything is sent:
// the code (InvalidArgument unless another fits), a message naming the field, outcome
// `not_sent`, and the emulator's request count and device log unchanged. The client points at
// the real emulator with a valid key, so a case that slipped through would be counted there.
// docs/errors.md ("Bad input") lists the same catalog.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';
import { thingcall, emulatorUrl, DEMO, PK } from './helpers.mjs';

const { IotClient, ThingcallError } = thingcall;
let url;
before(async () => { url = await emulatorUrl(); });

const stats = async () => {
  const s = await (await fetch(`${url}/_emulator/stats`)).json();
  return { requests: s.requests, log: s.log };
};
const client = (o = {}) => new IotClient({ endpoint: url, ...DEMO, retry: { maxAttempts: 1 }, ...o });
const lamp = { productKey: PK, deviceName: 'lamp-01' };
const echo = (args) => (c) => c.invokeThingService({ ...lamp, identifier: 'Echo', args });
const cyclic = () => { const a = { b: 1 }; a.self = a; return a; };
const deep = () => { let o = { leaf: 1 }; for (let i = 0; i < 70; i++) o = { o }; return o; };
const sts = (extra) => async () => ({ accessKeyId: 'STS.x', accessKeySecret: 'y', securityToken: 'z', ...extra });

// [name, what it does (a client method call, or options for `new IotClient`), field pattern, code]
const CASES = [
  // JSON.stringify would change or drop these: what is sent must be what was written.
  ['Args with NaN', echo({ x: NaN }), /args\.x: NaN or Infinity/],
  ['Args with Infinity', echo({ x: -Infinity }), /args\.x: NaN or Infinity/],
  ['Args with an undefined member', echo({ x: undefined }), /args\.x: undefined/],
  ['Args with a function', echo({ f() {} }), /args\.f: undefined, a function/],
  ['Args with a symbol value', echo({ s: Symbol('s') }), /args\.s: undefined, a function or a symbol/],
  ['Args with a symbol key', echo({ [Symbol('k')]: 1 }), /args: has symbol keys/],
  ['Args with a BigInt', echo({ n: 10n }), /args\.n: a BigInt/],
  ['Args with a cycle', echo(cyclic()), /args\.self\.self.*64 levels deep \(or a cycle\)/],
  ['Args nested 70 deep', echo(deep()), /args(\.o)+: nested more than 64 levels/],
  ['Args with a Date', echo({ at: new Date(0) }), /args\.at: not a plain object/],
  ['Args with a Map', echo({ m: new Map([[1, 2]]) }), /args\.m: not a plain object/],
  ['Args with a class instance', echo({ u: new URL('http://x/') }), /args\.u: not a plain object/],
  ['Args with a hole in an array', echo({ a: [1, , 3] }), /args\.a\[1\]: undefined/],
  ['Args with undefined in an array', echo({ a: [undefined] }), /args\.a\[0\]: undefined/],
  ['Args with a lone surrogate in a value', echo({ t: 'a\ud800b' }), /args\.t: holds a lone UTF-16 surrogate/],
  ['Args with a lone surrogate in a key', echo({ ['\udc00']: 1 }), /args: a key holds a lone UTF-16 surrogate/],
  ['Args JSON text with a lone surrogate', echo('{"t":"\ud800"}'), /args: holds a lone UTF-16 surrogate/],
  ['Args that is an array', echo([1, 2]), /args: must be an object or a JSON object string/],
  ['Args JSON text that is not an object', echo('[1]'), /args: the string is not a JSON object/],
  ['Args JSON text that is not JSON', echo('{text:1}'), /args: the string is not a JSON object/],
  ['Items with NaN', (c) => c.setDeviceProperty({ ...lamp, items: { Brightness: NaN } }), /items\.Brightness: NaN/],
  ['Items missing', (c) => c.setDeviceProperty({ ...lamp }), /setDeviceProperty\.items is required/],
  // Names and identifiers.
  ['identifier empty', (c) => c.invokeThingService({ ...lamp, identifier: '' }), /identifier is required/],
  ['identifier a number', (c) => c.invokeThingService({ ...lamp, identifier: 7 }), /identifier: must be a string/],
  ['identifier with a lone surrogate', (c) => c.invokeThingService({ ...lamp, identifier: 'E\ud800' }), /identifier: holds a lone UTF-16 surrogate/],
  ['identifier with NUL', (c) => c.invokeThingService({ ...lamp, identifier: 'Echo\0' }), /identifier: only ASCII letters/],
  ['deviceName with & and =', (c) => c.invokeThingService({ productKey: PK, deviceName: 'lamp&x=1', identifier: 'Echo' }), /deviceName: only ASCII letters/],
  ['deviceName with a newline', (c) => c.invokeThingService({ productKey: PK, deviceName: 'lamp\n01', identifier: 'Echo' }), /deviceName: only ASCII letters/],
  ['productKey with %', (c) => c.queryDeviceDetail({ productKey: 'a1%20', deviceName: 'lamp-01' }), /productKey: only ASCII letters/],
  ['productKey an object', (c) => c.queryDeviceDetail({ productKey: {}, deviceName: 'lamp-01' }), /productKey: must be a string/],
  ['no device at all', (c) => c.queryDeviceDetail({}), /give the device as iotId, or as productKey and deviceName/],
  ['request not an object', (c) => c.queryDeviceDetail('lamp-01'), /queryDeviceDetail: expected a request object/],
  ['a misspelt request field', (c) => c.invokeThingService({ ...lamp, identifier: 'Echo', arg: { text: 'x' } }), /invokeThingService\.arg: unknown option \(known: .*args/],
  ['iotInstanceId with a space', (c) => c.queryDeviceDetail({ ...lamp, iotInstanceId: 'iot 1' }), /iotInstanceId: only ASCII letters/],
  ['batch of 0 devices', (c) => c.invokeThingsService({ productKey: PK, deviceNames: [], identifier: 'Blink' }), /deviceNames: give 1 to 100 device names \(got 0\)/],
  ['batch of 101 devices', (c) => c.invokeThingsService({ productKey: PK, deviceNames: Array.from({ length: 101 }, (_, i) => `d${i}`), identifier: 'Blink' }), /deviceNames: give 1 to 100 device names \(got 101\)/],
  ['batch with a bad device name', (c) => c.setDevicesProperty({ productKey: PK, deviceNames: ['lamp-01', 'x y'], items: { Brightness: 1 } }), /deviceNames\[1\]: only ASCII letters/],
  // Generic calls.
  ['call without an action', (c) => c.call('', {}), /action is required/],
  ['call with an action holding &', (c) => c.call('QueryDevice&X=1', {}), /action: only ASCII letters and digits/],
  ['call with an empty parameter name', (c) => c.call('QueryDevice', { '': 'x' }), /params: a parameter name is empty/],
  ['call with a parameter name holding =', (c) => c.call('QueryDevice', { 'a=b': 'x' }), /params: a parameter name may hold only/],
  ['call with a NUL in a value', (c) => c.call('QueryDevice', { ProductKey: 'a\0b' }), /params\.ProductKey: holds a NUL/],
  ['call with NaN as a value', (c) => c.call('QueryDevice', { PageSize: NaN }), /params\.PageSize: NaN or Infinity/],
  ['call with an object as a value', (c) => c.call('QueryDevice', { PageSize: { n: 1 } }), /params\.PageSize: must be a string, number or boolean/],
  ['call with a lone surrogate in a value', (c) => c.call('QueryDevice', { ProductKey: '\udfff' }), /params\.ProductKey: holds a lone UTF-16 surrogate/],
  ['call setting a common parameter', (c) => c.call('QueryDevice', { Signature: 'x' }), /params\.Signature: this common parameter is set by thingcall/],
  // Call options.
  ['timeoutMs 0', (c) => c.queryDeviceDetail(lamp, { timeoutMs: 0 }), /options\.timeoutMs: must be a positive number/],
  ['timeoutMs negative', (c) => c.queryDeviceDetail(lamp, { timeoutMs: -5 }), /options\.timeoutMs: must be a positive number/],
  ['timeoutMs NaN', (c) => c.queryDeviceDetail(lamp, { timeoutMs: NaN }), /options\.timeoutMs: must be a finite number/],
  ['timeoutMs past what setTimeout holds', (c) => c.queryDeviceDetail(lamp, { timeoutMs: 2 ** 31 }), /options\.timeoutMs: must be a positive number of ms up to 2147483647/],
  ['an unknown call option', (c) => c.queryDeviceDetail(lamp, { timeout: 5 }), /options\.timeout: unknown option/],
  ['a signal that is not an AbortSignal', (c) => c.queryDeviceDetail(lamp, { signal: {} }), /options\.signal: must be an AbortSignal/],
  ['an already aborted signal', (c) => c.queryDeviceDetail(lamp, { signal: AbortSignal.abort() }), /AbortSignal had fired before the call started/, 'Aborted'],
  // Reads (the second entry).
  ['devices with an unknown status', (c) => c.devices(PK, { status: 'SLEEPING' }), /devices\.status: \"ONLINE\", \"OFFLINE\", \"UNACTIVE\" or \"DISABLE\"/],
  ['devices with pageSize 51', (c) => c.devices(PK, { pageSize: 51 }), /devices\.pageSize: a whole number from 1 to 50/],
  ['a history of no property', (c) => c.propertyHistory(lamp, [], { from: Date.now() - 3_600_000, to: Date.now() }), /propertyHistory\.identifiers: give at least one/],
  ['a history range the wrong way round', (c) => c.propertyHistory(lamp, 'Temperature', { from: Date.now(), to: Date.now() - 3_600_000 }), /propertyHistory\.from: must be before to/],
  ['a history range more than 30 days back', (c) => c.propertyHistory(lamp, 'Temperature', { from: Date.now() - 40 * 86_400_000, to: Date.now() }), /propertyHistory\.from: the platform keeps the last 30 days only/],
  ['a history from that is not a time', (c) => c.propertyHistory(lamp, 'Temperature', { from: 'yesterday', to: Date.now() }), /propertyHistory\.from: a Date or Unix ms/],
  ['a history order other than asc or desc', (c) => c.propertyHistory(lamp, 'Temperature', { from: Date.now() - 3_600_000, to: Date.now(), order: 'newest' }), /propertyHistory\.order: \"asc\" or \"desc\"/],
  ['an event type the platform does not have', (c) => c.eventHistory(lamp, { type: 'warning', from: Date.now() - 3_600_000, to: Date.now() }), /eventHistory\.type: \"info\", \"alert\" or \"error\"/],
  ['device details of names not in an array', (c) => c.deviceDetails(PK, 'lamp-01'), /deviceDetails: deviceNames must be an array of strings/],
  // Size.
  ['1 MB of Args by GET (URLs that long are refused)', (c) => client({ method: 'GET' }).invokeThingService({ ...lamp, identifier: 'Echo', args: { t: 'x'.repeat(1 << 20) } }), /options\.method: the signed GET URL would be longer than 8,192 bytes/],
  // Client options.
  ['endpoint not http(s)', { endpoint: 'ftp://127.0.0.1/' }, /options\.endpoint: .* is not an http\(s\) URL/],
  ['endpoint with credentials in it', { endpoint: 'http://user:pass@127.0.0.1/' }, /options\.endpoint: has a user name or password in it/],
  ['endpoint with a query', { endpoint: 'http://127.0.0.1/?Action=X' }, /options\.endpoint: .* without a query/],
  ['endpoint relative in Node', { endpoint: '/iot/' }, /options\.endpoint: "\/iot\/" is relative/],
  ['client timeoutMs 0', { timeoutMs: 0 }, /options\.timeoutMs: must be a positive number/],
  ['client timeoutMs above 2^31-1', { timeoutMs: 2 ** 31 }, /options\.timeoutMs: must be a positive number of ms up to 2147483647/],
  ['retry.maxAttempts 0', { retry: { maxAttempts: 0 } }, /options\.retry\.maxAttempts: must be a whole number 1\.\.10/],
  ['retry.maxAttempts 11', { retry: { maxAttempts: 11 } }, /options\.retry\.maxAttempts: must be a whole number 1\.\.10/],
  ['retry.maxAttempts 1.5', { retry: { maxAttempts: 1.5 } }, /options\.retry\.maxAttempts: must be a whole number/],
  ['retry.baseDelayMs negative', { retry: { baseDelayMs: -1 } }, /options\.retry\.baseDelayMs/],
  ['retry.maxDelayMs Infinity', { retry: { maxDelayMs: Infinity } }, /options\.retry\.maxDelayMs/],
  ['an unknown retry option', { retry: { attempts: 2 } }, /options\.retry\.attempts: unknown option/],
  ['an unknown client option', { endpiont: 'x' }, /options\.endpiont: unknown option/],
  ['method PUT', { method: 'PUT' }, /options\.method: must be "GET" or "POST"/],
  ['a secret with a lone surrogate', { accessKeyId: 'thingcall-demo', accessKeySecret: 'se\ud800cret' }, /options\.accessKeySecret: holds a lone UTF-16 surrogate/],
  ['no key and no provider', { accessKeyId: undefined, accessKeySecret: undefined }, /options: give accessKeyId and accessKeySecret, or a credentials provider/],
  ['credentials not a function', { accessKeyId: undefined, accessKeySecret: undefined, credentials: 'STS.x' }, /options\.credentials: must be a function/],
  // Credentials providers.
  ['a provider that throws', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: () => { throw new Error('down'); } }).queryDeviceDetail(lamp), /the credentials provider threw: .*down/, 'CredentialsError'],
  ['a provider that rejects', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => { throw new TypeError('no'); } }).queryDeviceDetail(lamp), /the credentials provider failed: .*no/, 'CredentialsError'],
  ['a provider that returns nothing', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => undefined }).queryDeviceDetail(lamp), /credentials\(\)\.accessKeyId is required/, 'CredentialsError'],
  ['a provider with a malformed answer', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => ({ accessKeyId: 5, accessKeySecret: 'x' }) }).queryDeviceDetail(lamp), /credentials\(\)\.accessKeyId: must be a string/, 'CredentialsError'],
  ['a provider with a bad expiration', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: sts({ expiration: 'soon' }) }).queryDeviceDetail(lamp), /credentials\.expiration: expected a Date/, 'CredentialsError'],
  ['a provider with expired credentials', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: sts({ expiration: new Date(Date.now() - 60_000) }) }).queryDeviceDetail(lamp), /credentials\(\): already expired/, 'CredentialsError'],
  ['a provider that never resolves', (c) => client({ accessKeyId: undefined, accessKeySecret: undefined, timeoutMs: 300, credentials: () => new Promise(() => {}) }).queryDeviceDetail(lamp), /no answer within the call's deadline of 300 ms/, 'Timeout'],
];

test('docs/errors.md lists exactly these cases, with their codes', () => {
  const text = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
  const table = text.slice(text.indexOf('## Bad input'));
  const rows = [...table.matchAll(/^\| ([^|]+?) \| `(\w+)` \|/gm)].map((m) => [m[1], m[2]]).filter(([name]) => name !== 'case');
  assert.deepEqual(rows, CASES.map(([name, , , code = 'InvalidArgument']) => [name, code]));
});

test(`the catalog has at least 40 cases (${CASES.length})`, () => {
  assert.ok(CASES.length >= 40);
  assert.equal(new Set(CASES.map(([name]) => name)).size, CASES.length, 'names are unique');
});

for (const [name, what, field, code = 'InvalidArgument'] of CASES) {
  test(`bad input: ${name}`, async () => {
    const before = await stats();
    // A never-resolving provider leaves Node nothing else to wait on: keep it alive meanwhile.
    const alive = setInterval(() => {}, 1000);
    let error;
    try {
      if (typeof what === 'function') await what(client());
      else client(what);
    } catch (e) {
      error = e;
    } finally {
      clearInterval(alive);
    }
    assert.ok(error instanceof ThingcallError, `not refused, or not a ThingcallError: ${error}`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, field);
    assert.equal(error.outcome, 'not_sent', error.message);
    assert.equal(error.retryable, false);
    assert.deepEqual(await stats(), before, 'nothing reached the emulator');
  });
}
