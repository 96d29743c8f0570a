// Reading and writing a WebAssembly module's binary: LEB128 numbers, names, sections, and the
// value types and limits an import or a table declares. The build's rewrites (split.mjs,
// names.mjs) change a few sections and copy the rest byte for byte.
import { writeFileSync } from 'node:fs';

/** The LEB128 number at `at` (signed with `signed`), and where the next thing starts. */
export function leb(bytes, at, signed = false) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  if (signed && byte & 0x40) value -= 2 ** shift;
  return [value, at];
}

export function encodeLeb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

export const encodeName = (s) => { const b = Buffer.from(s, 'utf8'); return [...encodeLeb(b.length), ...b]; };

export function sections(bytes) {
  const out = [];
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    out.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

export function writeModule(file, bytes, parts) {
  const chunks = [bytes.subarray(0, 8)];
  for (const { id, body } of parts) chunks.push(Buffer.from([id, ...encodeLeb(body.length)]), body);
  writeFileSync(file, Buffer.concat(chunks));
}

export function readName(body, at) {
  const [len, start] = leb(body, at);
  return [body.subarray(start, start + len).toString('utf8'), start + len];
}

/** The bytes of a value type, or a table's reference type, at `at`. */
export function skipValueType(body, at) {
  const t = body[at];
  // (ref ht) and (ref null ht): a heap type follows.
  return t === 0x63 || t === 0x64 ? leb(body, at + 1)[1] : at + 1;
}

export function skipLimits(body, at) {
  const flags = body[at];
  let p = leb(body, at + 1)[1];
  if (flags & 1) p = leb(body, p)[1];
  return p;
}

/** The import section's entries: `{ module, name, desc }` (`desc`: the kind and type, as bytes). */
export function readImports(body) {
  const [count, start] = leb(body, 0);
  const out = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    let module;
    let name;
    [module, at] = readName(body, at);
    [name, at] = readName(body, at);
    const descStart = at;
    const kind = body[at++];
    if (kind === 0x00) at = leb(body, at)[1];
    else if (kind === 0x01) at = skipLimits(body, skipValueType(body, at));
    else if (kind === 0x02) at = skipLimits(body, at);
    else if (kind === 0x03) at = skipValueType(body, at) + 1;
    else throw new Error(`wasm: import kind ${kind} of ${module}.${name} is not read`);
    out.push({ module, name, desc: body.subarray(descStart, at) });
  }
  return out;
}

export function encodeImports(imports) {
  const out = [...encodeLeb(imports.length)];
  for (const { module, name, desc } of imports) out.push(...encodeName(module), ...encodeName(name), ...desc);
  return Buffer.from(out);
}

/** The export section's entries: `{ name, kind, index }`. */
export function readExports(body) {
  const [count, start] = leb(body, 0);
  const out = [];
  let at = start;
  for (let i = 0; i < count; i++) {
    let name;
    [name, at] = readName(body, at);
    const kind = body[at];
    let index;
    [index, at] = leb(body, at + 1);
    out.push({ name, kind, index });
  }
  return out;
}

export function encodeExports(exports) {
  const out = [...encodeLeb(exports.length)];
  for (const { name, kind, index } of exports) out.push(...encodeName(name), kind, ...encodeLeb(index));
  return Buffer.from(out);
}
