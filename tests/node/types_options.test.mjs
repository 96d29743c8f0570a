// The other half of the .d.ts drift check (types_returned.test.mjs checks what the package
// returns): every option and request type the .d.ts declares names exactly the properties the
// package's readers take. The declared names come from the TypeScript compiler's own view of
// pkg/thingcall.d.ts; the taken names from the readers themselves: each refuses an unknown
// property with "<field>: unknown option (known: a, b, c)".
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';
import { root } from '../../scripts/lib.mjs';
import { thingcall, emulatorUrl, DEMO, PK } from './helpers.mjs';

const { IotClient } = thingcall;
const UNKNOWN = 'notAnOption';

/** The property names of each exported type of the .d.ts, as tsc sees them (unions: every member's). */
function declared() {
  const file = join(root, 'pkg', 'thingcall.d.ts');
  const program = ts.createProgram([file], { strict: true, noEmit: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const out = new Map();
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(source))) {
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    const parts = type.isUnion() ? type.types : [type];
    out.set(symbol.name, new Set(parts.flatMap((t) => checker.getPropertiesOfType(t).map((p) => p.name))));
  }
  return out;
}

/** The names a reader takes, from its refusal of an unknown one. */
async function taken(provoke) {
  let message;
  try {
    await provoke();
  } catch (e) {
    message = e.message;
  }
  const m = /unknown option \(known: ([^)]*)\)/.exec(message ?? '');
  assert.ok(m, `no unknown-option refusal: ${message}`);
  return new Set(m[1].split(', ').filter(Boolean));
}

let types;
let client;
const lamp = { productKey: PK, deviceName: 'lamp-01' };
before(async () => {
  types = declared();
  client = new IotClient({ endpoint: await emulatorUrl(), ...DEMO });
});

const x = { [UNKNOWN]: 1 };
const CASES = [
  ['IotClientOptions', () => new IotClient({ endpoint: 'http://127.0.0.1:9', ...DEMO, ...x })],
  ['RetryOptions', () => new IotClient({ endpoint: 'http://127.0.0.1:9', ...DEMO, retry: x })],
  ['CallOptions', () => client.queryDeviceDetail(lamp, x)],
  ['PresignOptions', () => client.presign('QueryProductList', {}, x)],
  ['InvokeThingServiceRequest', () => client.invokeThingService({ ...lamp, identifier: 'Echo', ...x })],
  ['SetDevicePropertyRequest', () => client.setDeviceProperty({ ...lamp, items: {}, ...x })],
  ['QueryDeviceDetailRequest', () => client.queryDeviceDetail({ ...lamp, ...x })],
  ['InvokeThingsServiceRequest', () => client.invokeThingsService({ productKey: PK, deviceNames: ['lamp-01'], identifier: 'Blink', ...x })],
  ['SetDevicesPropertyRequest', () => client.setDevicesProperty({ productKey: PK, deviceNames: ['lamp-01'], items: {}, ...x })],
  ['BulkServiceCall', () => client.invokeMany([lamp], { identifier: 'Echo', ...x })],
  ['BulkPropertySet', () => client.setPropertyMany([lamp], { items: {}, ...x })],
  ['BulkOptions', () => client.invokeMany([lamp], { identifier: 'Echo' }, x)],
  ['CreateJobRequest', () => client.createJob({ name: 'drift_check', productKey: PK, identifier: 'Blink', ...x })],
  ['TasksOptions', async () => { for await (const t of client.tasks('no-such-job', x)) return t; }],
];

for (const [type, provoke] of CASES) {
  test(`${type}: the .d.ts declares exactly what the reader takes`, async () => {
    assert.ok(types.has(type), `${type} is not exported by the .d.ts`);
    const decl = [...types.get(type)].sort();
    const reader = [...(await taken(provoke))].sort();
    assert.deepEqual(decl, reader, `${type}: declared ${decl.join(', ')}; taken ${reader.join(', ')}`);
  });
}
