// Every example of README.md and docs/ compiles and runs. Each code block is preceded by a
// marker that says how it is checked:
//
//   <!-- example: run -->      a whole program: type-checked, then run in Node against the
//                               emulator (its `http://127.0.0.1:8686/` pointed at the test's);
//   <!-- example: client -->   statements that use `client` (an IotClient with the emulator's
//                               demo key): type-checked and run inside an async function, their
//                               `import` lines at the top (a relative `./<productKey>.js` is
//                               the types `npm run typegen` writes for that product);
//   <!-- example: check -->    type-checked only: code for a page behind a relay (a relative
//                               endpoint, `/sts`), which Node cannot run, or a Vite config;
//   <!-- example: page -->     the same, for a page's module with a top-level `await`: checked
//                               with the settings of Vite's template (es2022, bundler);
//   <!-- example: examples/X.rs --> a Rust block that must appear, as written, in that file
//                               (which `npm test` builds for wasm32).
//
// JavaScript and TypeScript are type-checked with `tsc --strict` and tsc's default settings
// (no tsconfig: target ES5, CommonJS, the default lib), as a consumer's first try would be,
// against the package as installed (`node_modules/thingcall` is this repository). A block
// without a marker fails the test, so none goes unchecked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';
import { emulatorUrl, control, DEMO } from './helpers.mjs';

const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const QUICKSTART_ENDPOINT = 'http://127.0.0.1:8686/';
const dir = join(root, 'target', 'examples');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** The fenced blocks of a Markdown file, with the marker line before each. */
function blocks(file) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, lang] = open;
    let j = i + 1;
    while (!lines[j].startsWith(`${indent}\`\`\``)) j++;
    const code = lines.slice(i + 1, j).map((l) => l.slice(indent.length)).join('\n');
    const marker = /<!-- example: (.+?) -->/.exec(lines[i - 1] ?? '')?.[1];
    out.push({ file, line: i + 1, lang, code, marker });
    i = j;
  }
  return out;
}

const all = DOCS.flatMap(blocks);
const code = all.filter((b) => ['js', 'ts', 'rust', 'mjs'].includes(b.lang));

before(() => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(dir, 'node_modules', 'thingcall'), 'dir');
});

test('every JavaScript, TypeScript and Rust block of the docs says how it is checked', () => {
  const unmarked = code.filter((b) => !b.marker).map((b) => `${b.file}:${b.line}`);
  assert.deepEqual(unmarked, [], 'blocks without an <!-- example: ... --> marker');
  assert.ok(code.length >= 10, `only ${code.length} examples found`);
});

/** `name.ts` written, and `tsc --strict` with tsc's defaults (or `settings`) on it. */
function typecheck(name, source, settings = []) {
  writeFileSync(join(dir, name), source);
  const r = spawnSync(bin('tsc'), ['--strict', '--noEmit', ...settings, name], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? '' : r.stdout + r.stderr;
}

/** `source` (TypeScript or JavaScript) run as an ES module in Node; its stdout. */
function runInNode(name, source) {
  const js = spawnSync(bin('esbuild'), ['--format=esm', '--loader=ts', '--log-level=warning'], { input: source, encoding: 'utf8' });
  assert.equal(js.status, 0, js.stderr);
  writeFileSync(join(dir, `${name}.mjs`), js.stdout);
  const r = spawnSync(process.execPath, [`${name}.mjs`], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${name} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A `client` block as a program: imports first, the rest in an async function. */
function asProgram(block, endpoint) {
  const lines = block.code.split('\n');
  const imports = [];
  while (lines.length && (/^import /.test(lines[0]) || (imports.length && /^\s*$/.test(lines[0])))) imports.push(lines.shift());
  return [
    "import * as thingcallForExample from 'thingcall';",
    ...imports,
    'async function example(): Promise<void> {',
    '  await thingcallForExample.default();',
    `  const client = new thingcallForExample.IotClient({ endpoint: ${JSON.stringify(endpoint)}, accessKeyId: '${DEMO.accessKeyId}', accessKeySecret: '${DEMO.accessKeySecret}' });`,
    ...lines.map((l) => `  ${l}`),
    '}',
    "example().then(() => console.log('example done'));",
    '',
  ].join('\n');
}

/** The types `npm run typegen` writes, for each `./<productKey>.js` a block imports. */
async function generatedTypes(block) {
  for (const [, product] of block.code.matchAll(/from '\.\/(\w+)\.js'/g)) {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'typegen.mjs'), '--product', product, '--endpoint', await emulatorUrl(), '--out', join(dir, `${product}.ts`)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // And the module Node runs: the same, its types stripped.
    const js = spawnSync(bin('esbuild'), [join(dir, `${product}.ts`), '--format=esm', `--outfile=${join(dir, `${product}.js`)}`, '--log-level=warning'], { encoding: 'utf8' });
    assert.equal(js.status, 0, js.stderr);
  }
}

for (const [i, block] of code.entries()) {
  if (!block.marker) continue;
  const name = `example${i}`;
  const where = `${block.file}:${block.line}`;
  if (block.lang === 'rust') {
    test(`${where}: the Rust block is ${block.marker}, as written`, () => {
      const words = (s) => s.replace(/\s+/g, ' ').trim();
      const file = readFileSync(join(root, block.marker), 'utf8');
      assert.ok(words(file).includes(words(block.code)), `${where} is not in ${block.marker} as written`);
    });
    continue;
  }
  test(`${where}: ${block.marker}`, async () => {
    await control('reset');
    if (block.marker === 'run') {
      const errors = typecheck(`${name}.ts`, block.code);
      assert.equal(errors, '', `${where} does not type-check:\n${errors}`);
      const out = runInNode(name, block.code.replaceAll(QUICKSTART_ENDPOINT, `${await emulatorUrl()}/`));
      // The output the docs promise right after the block ("It prints `...`."), when they do.
      const text = readFileSync(join(root, block.file), 'utf8');
      const after = text.slice(text.indexOf(block.code) + block.code.length, text.indexOf(block.code) + block.code.length + 300);
      const promised = /It prints `([^`]+)`/.exec(after)?.[1];
      if (promised) assert.equal(out.trim(), promised);
    } else if (block.marker === 'client') {
      await generatedTypes(block);
      const errors = typecheck(`${name}.ts`, asProgram(block, QUICKSTART_ENDPOINT));
      assert.equal(errors, '', `${where} does not type-check:\n${errors}`);
      const out = runInNode(name, asProgram(block, `${await emulatorUrl()}/`));
      assert.match(out, /example done\n$/);
    } else if (block.marker === 'check') {
      const errors = typecheck(`${name}.ts`, block.code);
      assert.equal(errors, '', `${where} does not type-check:\n${errors}`);
    } else if (block.marker === 'page') {
      const page = ['--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', '--isolatedModules', '--moduleDetection', 'force'];
      const errors = typecheck(`${name}.ts`, block.code, page);
      assert.equal(errors, '', `${where} does not type-check:\n${errors}`);
    } else {
      assert.fail(`${where}: unknown marker ${block.marker}`);
    }
  });
}

/** GitHub's anchor for a heading. */
const slug = (heading) => heading.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

test('every relative link of the docs leads to a file, and every #anchor to a heading', () => {
  const broken = [];
  for (const file of [...DOCS, 'ARCHITECTURE.md', 'BENCHMARKS.md', 'emulator/README.md']) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path, anchor] = target.split('#');
      const resolved = path ? join(root, file, '..', path) : join(root, file);
      let body;
      try {
        body = readFileSync(resolved, 'utf8');
      } catch {
        if (!path.endsWith('/')) broken.push(`${file}: ${target}`);
        continue;
      }
      if (anchor && !body.split('\n').some((l) => /^#+ /.test(l) && slug(l.replace(/^#+ /, '')) === anchor)) broken.push(`${file}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
