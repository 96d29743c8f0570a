// The .d.ts against what the package really returns, and under the settings a consumer has.
//
// 1. Drift: every public method is called for real (against the emulator, and a server that
//    answers without RequestId or MessageId), each value it returned is written out as a
//    TypeScript literal annotated with the method's declared type, and tsc compiles the file with
//    `exactOptionalPropertyTypes`: a field declared but left out, a field returned but not
//    declared, or a value of another type fails it.
// 2. Consumers: a small app importing 'thingcall' by its package name compiles under tsc's
//    defaults with --strict, under `es2022` + `dom`, and under Vite's vanilla-ts template.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { root, env } from '../../scripts/lib.mjs';
import { thingcall, emulatorUrl, DEMO, PK } from './helpers.mjs';

const { IotClient, signRpc, thingModelFromTsl } = thingcall;
const servers = [];
after(() => servers.forEach((s) => { s.closeAllConnections(); s.close(); }));

/** `v` as a TypeScript expression of exactly its value. */
function literal(v, indent = '') {
  const next = `${indent}  `;
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (v instanceof thingcall.ThingcallError) return 'THINGCALL_ERROR';
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => next + literal(x, next)).join(',\n')},\n${indent}]` : '[]';
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    return keys.length ? `{\n${keys.map((k) => `${next}${JSON.stringify(k)}: ${literal(v[k], next)}`).join(',\n')},\n${indent}}` : '{}';
  }
  throw new Error(`no literal for a ${typeof v}`);
}

function tsc(dir, args) {
  const r = spawnSync('tsc', args, { cwd: dir, env, encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim() + (r.status === 0 ? '' : `\n(exit ${r.status})`);
}

/** A server answering every request with `body`. */
async function answering(body) {
  const s = createServer((req, res) => { req.resume(); req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(body); }); });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return `http://127.0.0.1:${s.address().port}/`;
}

test('every value the package returns has the type its .d.ts declares (no field missing, none extra)', async () => {
  const url = await emulatorUrl();
  const c = new IotClient({ endpoint: url, ...DEMO });
  const lamp = { productKey: PK, deviceName: 'lamp-01' };
  const bare = new IotClient({ endpoint: await answering('{"Success":true,"Data":{}}'), ...DEMO });
  const values = [];
  const add = (type, value) => values.push([type, value]);
  add("R<'invokeThingService'>", await c.invokeThingService({ ...lamp, identifier: 'Echo', args: { text: 'hi' } }));
  add("R<'invokeThingService'>", await c.invokeThingService({ ...lamp, identifier: 'Blink', args: { times: 1 } }));
  add("R<'invokeThingService'>", await bare.invokeThingService({ ...lamp, identifier: 'Blink' }));
  add("R<'setDeviceProperty'>", await c.setDeviceProperty({ ...lamp, items: { LightSwitch: 1 } }));
  add("R<'setDeviceProperty'>", await bare.setDeviceProperty({ ...lamp, items: { LightSwitch: 1 } }));
  add("R<'queryDevicePropertyStatus'>", await c.queryDevicePropertyStatus(lamp));
  add("R<'queryDeviceDetail'>", await c.queryDeviceDetail(lamp));
  add("R<'call'>", await c.call('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' }));
  add("R<'call'>", await bare.call('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' }));
  add("R<'invokeThingsService'>", await c.invokeThingsService({ productKey: PK, deviceNames: ['lamp-01', 'lamp-02'], identifier: 'Blink', args: { times: 1 } }));
  add("R<'setDevicesProperty'>", await c.setDevicesProperty({ productKey: PK, deviceNames: ['lamp-01'], items: { LightSwitch: 0 } }));
  add("R<'thingModel'>", await c.thingModel(PK));
  add("R<'invokeMany'>", await c.invokeMany([lamp, { productKey: PK, deviceName: 'no-such-lamp' }], { identifier: 'Echo', args: { text: 'x' } }));
  add("R<'setPropertyMany'>", await c.setPropertyMany([lamp], { items: { LightSwitch: 1 } }));
  const job = await c.createJob({ name: 'types_check', targets: [lamp], identifier: 'Blink', args: { times: 1 } });
  add("R<'createJob'>", job);
  add("R<'job'>", await c.job(job.jobId));
  for await (const task of c.tasks(job.jobId)) add('JobTask', task);
  add("R<'cancelJob'>", await c.cancelJob(job.jobId).catch((e) => ({ skipped: e.code })).then((r) => ('skipped' in r ? undefined : r)));
  add("R<'selfTest'>", await c.selfTest());
  add("S<'explain'>", c.explain('QueryDeviceDetail', { IotId: 'x' }, { nonce: 'n', timestamp: new Date(0) }));
  // A URL carries no headers: presign signs with V1 whatever the run's signature.
  add("S<'presign'>", new IotClient({ endpoint: url, ...DEMO, signature: 'v1' }).presign('QueryDeviceDetail', { IotId: 'x' }, { nonce: 'n', timestamp: new Date(0) }));
  add('ReturnType<typeof signRpc>', signRpc({ method: 'GET', params: { a: 'b' }, accessKeySecret: 'k' }));
  add('ReturnType<typeof thingModelFromTsl>', thingModelFromTsl((await c.call('QueryThingModel', { ProductKey: PK })).data.ThingModelJson));
  c.free();
  bare.free();

  const dir = join(root, 'tests', 'types', 'generated');
  mkdirSync(dir, { recursive: true });
  const lines = [
    '// Written by tests/node/types_returned.test.mjs: values the package returned, typed as declared.',
    "import { IotClient, ThingcallError, signRpc, thingModelFromTsl } from '../../../pkg/thingcall.js';",
    "import type { JobTask } from '../../../pkg/thingcall.js';",
    'type R<K extends keyof IotClient> = IotClient[K] extends (...a: never[]) => infer T ? Awaited<T> : never;',
    'type S<K extends keyof IotClient> = IotClient[K] extends (...a: never[]) => infer T ? T : never;',
    'declare const THINGCALL_ERROR: ThingcallError;',
    ...values.filter(([, v]) => v !== undefined).map(([type, v], i) => `export const v${i}: ${type} = ${literal(v)};`),
    '',
  ];
  writeFileSync(join(dir, 'returned.ts'), lines.join('\n'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, exactOptionalPropertyTypes: true, noEmit: true, target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'], types: [] },
    files: ['returned.ts'],
  }, null, 2));
  const out = tsc(dir, ['-p', '.']);
  assert.equal(out, '', `the .d.ts and the returned values disagree:\n${out}`);
});

const APP = `import init, { IotClient, ThingcallError, signRpc } from 'thingcall';
import type { InvokeThingServiceResult, CallResult } from 'thingcall';

export async function main(): Promise<string | undefined> {
  await init();
  const client = new IotClient({ endpoint: '/iot/', credentials: async () => ({ accessKeyId: 'a', accessKeySecret: 'b' }) });
  try {
    const r: InvokeThingServiceResult = await client.invokeThingService({ productKey: 'pk', deviceName: 'dn', identifier: 'Echo', args: { text: 'hi' } });
    if (r.mode === 'sync' && r.result) console.log(r.result.data);
    const c: CallResult = await client.call('QueryDeviceDetail', { IotId: 'x' });
    for await (const task of client.tasks('job')) console.log(task.deviceName);
    return r.messageId ?? c.requestId ?? signRpc({ method: 'GET', params: {}, accessKeySecret: 'k' }).signature;
  } catch (e) {
    if (e instanceof ThingcallError) return e.code;
    throw e;
  } finally {
    client.free();
  }
}
`;

// Under tsc's defaults (target ES5, its lib) an app cannot write async functions of its own: the
// same calls with promises.
const APP_ES5 = `import init, { IotClient, ThingcallError } from 'thingcall';
import type { InvokeThingServiceResult, JobTask } from 'thingcall';

export function main(): Promise<string | undefined> {
  const client = new IotClient({ endpoint: '/iot/', credentials: () => fetch('/sts', { method: 'POST' }).then((r) => r.json()) });
  return init()
    .then(() => client.invokeThingService({ productKey: 'pk', deviceName: 'dn', identifier: 'Echo', args: { text: 'hi' } }))
    .then((r: InvokeThingServiceResult) => client.tasks('job').next().then((t: IteratorResult<JobTask, undefined>) => (t.done ? r.messageId : t.value.taskId)))
    .catch((e: unknown) => (e instanceof ThingcallError ? e.code : undefined));
}
`;

// [name, tsconfig compilerOptions or null for tsc's defaults with --strict]
const CONSUMERS = [
  ["tsc's defaults, --strict", null],
  ['es2022 + dom', { strict: true, noEmit: true, target: 'ES2022', module: 'ES2022', moduleResolution: 'Bundler', lib: ['ES2022', 'DOM'] }],
  // Vite's vanilla-ts template (create-vite), as it writes tsconfig.json.
  ["Vite's template", {
    target: 'ES2022', useDefineForClassFields: true, module: 'ESNext', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: ['vite/client'],
    skipLibCheck: true, moduleResolution: 'bundler', allowImportingTsExtensions: true, verbatimModuleSyntax: true,
    moduleDetection: 'force', noEmit: true, strict: true, noUnusedLocals: true, noUnusedParameters: true,
    erasableSyntaxOnly: true, noFallthroughCasesInSwitch: true, noUncheckedSideEffectImports: true,
  }],
];

for (const [name, options] of CONSUMERS) {
  test(`the .d.ts compiles in a consumer's app: ${name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'thingcall-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(root, join(dir, 'node_modules', 'thingcall'), 'dir');
      writeFileSync(join(dir, 'main.ts'), options ? APP : APP_ES5);
      let args = ['--strict', '--noEmit', 'main.ts'];
      if (options) {
        const o = { ...options };
        if (o.types?.includes('vite/client')) { // vite/client's own types, not installed here: declare the module it brings
          o.types = [];
          writeFileSync(join(dir, 'vite-env.d.ts'), 'declare module "*.wasm?url" { const url: string; export default url; }\n');
        }
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: o, include: ['*.ts'] }));
        args = ['-p', '.'];
      }
      const out = tsc(dir, args);
      assert.equal(out, '', `tsc in a consumer's app (${name}):\n${out}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
