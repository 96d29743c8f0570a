// JSON answers parsed without losing a digit: an integer token beyond 2^53 (an ID such as
// MessageId 1894186889322557440, which JSON.parse would round to ...557400) becomes a BigInt;
// every other value is what JSON.parse gives. The fast path is JSON.parse itself: a text with
// no run of 16 digits cannot hold such an integer.

const LONG_DIGITS = /\d{16}/;
const INTEGER = /^-?\d+$/;

/** Whether this engine's JSON.parse gives revivers the source text (ES2025 JSON.parse source text access). */
let hasSource;

function revive(_key, value, context) {
  return typeof value === 'number' && !Number.isSafeInteger(value) && INTEGER.test(context.source)
    ? BigInt(context.source)
    : value;
}

/** `text` parsed as JSON, integers beyond 2^53 as BigInt; throws a SyntaxError where JSON.parse does. */
export function parseExact(text) {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  hasSource ??= JSON.parse('1', (_k, _v, c) => c !== undefined && c.source === '1') === true;
  if (hasSource) return JSON.parse(text, revive);
  JSON.parse(text); // the syntax check (and its SyntaxError); the walk below assumes valid JSON
  return new Walk(text).value();
}

/** A reader of valid JSON text, for engines whose JSON.parse has no source text access. */
class Walk {
  constructor(text) {
    this.s = text;
    this.i = 0;
  }

  space() {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = s.charCodeAt(++this.i);
    return c;
  }

  value() {
    const c = this.space();
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) return this.string();
    if (c === 116) return this.word('true', true);
    if (c === 102) return this.word('false', false);
    if (c === 110) return this.word('null', null);
    return this.number();
  }

  word(w, v) {
    this.i += w.length;
    return v;
  }

  string() {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 34) break;
      i += c === 92 ? 2 : 1;
    }
    this.i = i + 1;
    return JSON.parse(s.slice(start, this.i));
  }

  number() {
    const s = this.s;
    const start = this.i;
    let i = start;
    for (;;) {
      const c = s.charCodeAt(i);
      // digits, '-', '+', '.', 'e', 'E'
      if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69) i++;
      else break;
    }
    this.i = i;
    const token = s.slice(start, i);
    const n = Number(token);
    return !Number.isSafeInteger(n) && INTEGER.test(token) ? BigInt(token) : n;
  }

  array() {
    this.i++;
    const out = [];
    if (this.space() === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      const c = this.space();
      this.i++;
      if (c === 93) return out;
    }
  }

  object() {
    this.i++;
    const out = {};
    if (this.space() === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      const key = this.string();
      this.space();
      this.i++; // ':'
      const v = this.value();
      // As JSON.parse: "__proto__" is an own property, never the prototype.
      Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      const c = this.space();
      this.i++;
      if (c === 125) return out;
    }
  }
}
