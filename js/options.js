// Reading and checking what callers pass in: client options, per-call options, and device
// requests turned into RPC parameters. Shapes and types only, each failure naming its field;
// the protocol's own checks (reserved parameter names, credentials, timestamps) are made in
// Rust. Messages name fields, never values, so no secret can end up in one.
import { failure } from './thingcall_error.js';
import { flattenParams } from './sign_input.js';

/** An `InvalidArgument` ThingcallError (outcome `not_sent`). */
export const invalid = (message) => failure('InvalidArgument', message, 'not_sent');

const present = (v) => v !== undefined && v !== null;
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `flattenParams` with its message turned into an `InvalidArgument` error. */
export function flatten(params, ctx) {
  try {
    return flattenParams(params, ctx);
  } catch (message) {
    throw invalid(message);
  }
}

/** Refuses keys other than `allowed` (catches typos such as `timeoutMS`). */
function checkKeys(obj, allowed, ctx) {
  if (!isPlainObject(obj)) return;
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw invalid(`${ctx}.${k}: unknown option (known: ${allowed.join(', ')})`);
  }
}

/** An optional string; the empty string counts as absent. */
function optString(obj, key, ctx) {
  const v = obj?.[key];
  if (!present(v)) return undefined;
  if (typeof v !== 'string') throw invalid(`${ctx}.${key}: must be a string`);
  return v === '' ? undefined : v;
}

function requiredString(obj, key, ctx) {
  const v = optString(obj, key, ctx);
  if (v === undefined) throw invalid(`${ctx}.${key} is required (a non-empty string)`);
  return v;
}

function optNumber(obj, key, ctx) {
  const v = obj?.[key];
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${ctx}.${key}: must be a finite number`);
  return v;
}

function positiveMs(obj, key, ctx) {
  const v = optNumber(obj, key, ctx);
  if (v !== undefined && !(v > 0)) throw invalid(`${ctx}.${key}: must be a positive number of ms`);
  return v;
}

/** `"GET"`/`"POST"` in any case, as a boolean `post`; undefined when absent. */
function optPost(obj, key, ctx) {
  const v = obj?.[key];
  if (!present(v)) return undefined;
  if (typeof v !== 'string' || !/^(get|post)$/i.test(v)) throw invalid(`${ctx}.${key}: must be "GET" or "POST"`);
  return v.toUpperCase() === 'POST';
}

/** An absolute http(s) URL without query or fragment, normalized. */
function endpointUrl(s) {
  let url;
  try {
    url = new URL(s);
  } catch {
    url = null;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw invalid(`options.endpoint: "${s}" is not an absolute http(s) URL without a query`);
  }
  return url.href;
}

const CLIENT_KEYS = ['endpoint', 'accessKeyId', 'accessKeySecret', 'securityToken', 'credentials',
  'regionId', 'iotInstanceId', 'method', 'timeoutMs', 'retry'];
const RETRY_KEYS = ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'retryUnknown'];

/** `new IotClient(options)`, checked. Static keys are returned for the engine to check. */
export function clientOptions(o) {
  if (!isPlainObject(o)) throw invalid('new IotClient(options): options must be an object with an endpoint');
  checkKeys(o, CLIENT_KEYS, 'options');
  checkKeys(o.retry, RETRY_KEYS, 'options.retry');
  const endpoint = endpointUrl(requiredString(o, 'endpoint', 'options'));
  const post = optPost(o, 'method', 'options') ?? true;
  const timeoutMs = positiveMs(o, 'timeoutMs', 'options') ?? 10_000;
  const r = o.retry ?? {};
  const maxAttempts = optNumber(r, 'maxAttempts', 'options.retry') ?? 3;
  if (maxAttempts < 1 || maxAttempts > 10 || !Number.isInteger(maxAttempts)) {
    throw invalid('options.retry.maxAttempts: must be a whole number 1..10');
  }
  const delay = (key, dflt) => {
    const v = optNumber(r, key, 'options.retry') ?? dflt;
    if (v < 0) throw invalid(`options.retry.${key}: must be >= 0`);
    return v;
  };
  const retryUnknown = r.retryUnknown ?? false;
  if (typeof retryUnknown !== 'boolean') throw invalid('options.retry.retryUnknown: must be true or false');
  const out = {
    endpoint, post, timeoutMs,
    regionId: optString(o, 'regionId', 'options'),
    iotInstanceId: optString(o, 'iotInstanceId', 'options'),
    retry: { maxAttempts, baseDelayMs: delay('baseDelayMs', 100), maxDelayMs: delay('maxDelayMs', 2000), retryUnknown },
  };
  if (present(o.credentials)) {
    if (typeof o.credentials !== 'function') throw invalid('options.credentials: must be a function returning credentials');
    out.provider = o.credentials;
    return out;
  }
  if (!optString(o, 'accessKeyId', 'options')) throw invalid('options: give accessKeyId and accessKeySecret, or a credentials provider');
  out.accessKeyId = o.accessKeyId;
  out.accessKeySecret = requiredString(o, 'accessKeySecret', 'options');
  out.securityToken = optString(o, 'securityToken', 'options');
  return out;
}

/** A provider's answer: `{ accessKeyId, accessKeySecret, securityToken?, expiration? }`, with
 * `expiration` (a Date, an ISO 8601 string or Unix ms) as Unix ms or NaN. Throws a message. */
export function providedCredentials(v) {
  const str = (key, required) => {
    const s = v?.[key];
    if (present(s) && typeof s !== 'string') throw `credentials().${key}: must be a string`;
    if (required && !s) throw `credentials().${key} is required (a non-empty string)`;
    return s || undefined;
  };
  const out = { accessKeyId: str('accessKeyId', true), accessKeySecret: str('accessKeySecret', true), securityToken: str('securityToken') };
  const e = v.expiration;
  out.expirationMs = NaN;
  if (present(e)) {
    out.expirationMs = e instanceof Date ? e.getTime() : typeof e === 'string' ? Date.parse(e) : typeof e === 'number' ? e : NaN;
    if (!Number.isFinite(out.expirationMs)) throw 'credentials.expiration: expected a Date, an ISO 8601 string or Unix ms';
  }
  return out;
}

/** `{ signal, timeoutMs }` of one call. */
export function callOptions(o, defaultTimeoutMs) {
  checkKeys(o, ['signal', 'timeoutMs'], 'options');
  const signal = o?.signal;
  if (present(signal) && !(signal instanceof AbortSignal)) throw invalid('options.signal: must be an AbortSignal');
  return { signal: signal ?? undefined, timeoutMs: positiveMs(o, 'timeoutMs', 'options') ?? defaultTimeoutMs };
}

/** `presign`'s options: `{ nonce, timestamp, timestampMs }` (the wire string, else Unix ms or NaN). */
export function presignOptions(o) {
  checkKeys(o, ['nonce', 'timestamp'], 'options');
  const t = o?.timestamp;
  const out = { nonce: optString(o, 'nonce', 'options'), timestamp: undefined, timestampMs: NaN };
  if (t instanceof Date) {
    out.timestampMs = t.getTime();
    if (!Number.isFinite(out.timestampMs)) throw invalid('options.timestamp: an invalid Date');
  } else if (typeof t === 'string' && t !== '') {
    out.timestamp = t;
  } else if (present(t)) {
    throw invalid('options.timestamp: a Date or a YYYY-MM-DDThh:mm:ssZ string');
  }
  return out;
}

/** A JSON-object parameter (`Args`, `Items`): an object (sent with `JSON.stringify`) or a string
 * holding a JSON object; `{}` when absent. */
function jsonObject(v, path) {
  if (!present(v)) return '{}';
  if (typeof v === 'string') {
    let parsed;
    try {
      parsed = JSON.parse(v);
    } catch {
      parsed = null;
    }
    if (!isPlainObject(parsed)) throw invalid(`${path}: the string is not a JSON object`);
    return v;
  }
  if (!isPlainObject(v)) throw invalid(`${path}: must be an object or a JSON object string`);
  try {
    return JSON.stringify(v);
  } catch {
    throw invalid(`${path}: JSON.stringify failed (a cycle or a BigInt?)`);
  }
}

const MAX_BATCH = 100;

/**
 * How each device action's request object becomes its parameters: by method name (the platform's
 * action is the same name capitalized), one device (`iotId`, or `productKey` + `deviceName`) or
 * a batch (`deviceNames`), then the payload.
 */
const ACTIONS = {
  invokeThingService: [false, 'service'],
  setDeviceProperty: [false, 'items'],
  queryDevicePropertyStatus: [false, ''],
  queryDeviceDetail: [false, ''],
  invokeThingsService: [true, 'service'],
  setDevicesProperty: [true, 'items'],
};

/** The platform's action for a device method (`invokeThingService` → `InvokeThingService`). */
export const actionOf = (ctx) => ctx[0].toUpperCase() + ctx.slice(1);

/** The flattened parameters of a device action's request `req` (`ctx` is the method name). */
export function deviceParams(ctx, req, defaultInstanceId) {
  const [batch, payload] = ACTIONS[ctx];
  if (!isPlainObject(req)) throw invalid(`${ctx}: expected a request object`);
  const p = {};
  if (batch) {
    p.ProductKey = requiredString(req, 'productKey', ctx);
    const names = req.deviceNames ?? [];
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw invalid(`${ctx}.deviceNames: must be an array of strings`);
    if (names.length === 0 || names.length > MAX_BATCH) {
      throw invalid(`${ctx}.deviceNames: give 1 to ${MAX_BATCH} device names (got ${names.length})`);
    }
    names.forEach((n, i) => {
      if (n === '') throw invalid(`${ctx}.deviceNames[${i}]: empty`);
      p[`DeviceName.${i + 1}`] = n;
    });
  } else {
    const iotId = optString(req, 'iotId', ctx);
    const pk = optString(req, 'productKey', ctx);
    const dn = optString(req, 'deviceName', ctx);
    if (!iotId && !(pk && dn)) throw invalid(`${ctx}: give the device as iotId, or as productKey and deviceName`);
    if (iotId) p.IotId = iotId;
    if (pk && dn) Object.assign(p, { ProductKey: pk, DeviceName: dn });
  }
  const instance = optString(req, 'iotInstanceId', ctx) ?? defaultInstanceId;
  if (instance) p.IotInstanceId = instance;
  if (payload === 'service') {
    p.Identifier = requiredString(req, 'identifier', ctx);
    p.Args = jsonObject(req.args, `${ctx}.args`);
  } else if (payload === 'items') {
    if (!present(req.items)) throw invalid(`${ctx}.items is required`);
    p.Items = jsonObject(req.items, `${ctx}.items`);
  }
  return flatten(p, ctx);
}
