// The generated thingcall.d.ts type-checks a realistic usage file under `strict` (tests/types/),
// and so do the types `npm run typegen` writes for the emulator's lamp product, by --product
// (QueryThingModel against the emulator) and by --tsl (the same TSL from a file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, env } from '../../scripts/lib.mjs';
import { emulatorUrl, PK, DEMO, thingcall } from './helpers.mjs';

const generated = join(root, 'tests', 'types', 'generated');

function typegen(args) {
  const r = spawnSync('node', [join(root, 'scripts', 'typegen.mjs'), ...args], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `typegen failed:\n${r.stdout}${r.stderr}`);
  return r;
}

test('typegen: from the product (QueryThingModel) and from a TSL file, the same types', async () => {
  mkdirSync(generated, { recursive: true });
  const out = join(generated, 'a1LampDemo0.ts');
  typegen(['--product', PK, '--endpoint', await emulatorUrl(), '--out', out]);
  const fromProduct = readFileSync(out, 'utf8');
  assert.match(fromProduct, /export interface A1LampDemo0Services \{/);
  assert.match(fromProduct, /readonly Temperature: number;/);
  assert.match(fromProduct, /times: number;/, 'a required input has no ?');
  // The same model from a TSL file (as exported from the console).
  const client = new thingcall.IotClient({ endpoint: await emulatorUrl(), ...DEMO });
  const r = await client.call('QueryThingModel', { ProductKey: PK });
  client.free();
  const tsl = join(generated, 'lamp.tsl.json');
  writeFileSync(tsl, r.data.ThingModelJson);
  const fromFile = typegen(['--tsl', tsl]).stdout;
  const body = (s) => s.split('\n').slice(2).join('\n');
  assert.equal(body(fromFile), body(fromProduct));
  assert.throws(() => thingcall.thingModelFromTsl('{"properties":[{"identifier":"a","dataType":{"type":"matrix"}}]}'), /unknown data type matrix/);
});

test('thingcall.d.ts and the generated types: typed options and results, errors where they belong', () => {
  const r = spawnSync('tsc', ['-p', join(root, 'tests', 'types')], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
