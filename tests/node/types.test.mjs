// The generated thingcall.d.ts type-checks a realistic usage file under `strict` (tests/types/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, env } from '../../scripts/lib.mjs';

test('thingcall.d.ts: typed options and results, errors where they belong', () => {
  const r = spawnSync('tsc', ['-p', join(root, 'tests', 'types')], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
