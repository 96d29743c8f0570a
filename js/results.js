// Result objects shaped from the platform's parsed answer. Plain data plumbing, done where the
// data already is (JavaScript) instead of field by field across the wasm boundary.

function meta(out, body, attempts, elapsedMs) {
  if (body.RequestId !== undefined && body.RequestId !== null) out.requestId = String(body.RequestId);
  out.attempts = attempts;
  out.elapsedMs = elapsedMs;
  return out;
}

function dataOf(body) {
  return body.Data !== null && typeof body.Data === 'object' ? body.Data : {};
}

/** `InvokeThingService`: `{ requestId, messageId, mode, result?, rawResult?, code?, attempts, elapsedMs }`. */
export function invokeResult(body, attempts, elapsedMs) {
  const out = meta({}, body, attempts, elapsedMs);
  const d = dataOf(body);
  if (d.MessageId !== undefined) out.messageId = String(d.MessageId);
  if (typeof d.Result === 'string') {
    out.mode = 'sync';
    try {
      const result = JSON.parse(d.Result);
      if (result !== null && typeof result === 'object' && result.code !== undefined) out.code = result.code;
      out.result = result;
    } catch {
      // Not JSON: only rawResult is given.
    }
    out.rawResult = d.Result;
  } else {
    out.mode = 'async';
  }
  return out;
}

const NUMERIC = new Set(['int', 'bool', 'enum', 'float', 'double']);

/** `QueryDevicePropertyStatus`: a flat `properties` list, numeric values as numbers. */
export function propertyStatusResult(body, attempts, elapsedMs) {
  const out = meta({}, body, attempts, elapsedMs);
  const list = dataOf(body).List?.PropertyStatusInfo;
  out.properties = (Array.isArray(list) ? list : []).map((p) => {
    const rawValue = p.Value === undefined || p.Value === null ? '' : String(p.Value);
    const dataType = String(p.DataType ?? '');
    const n = rawValue.trim() === '' ? NaN : Number(rawValue);
    return {
      identifier: String(p.Identifier ?? ''),
      value: NUMERIC.has(dataType) && !Number.isNaN(n) ? n : rawValue,
      rawValue,
      time: String(p.Time ?? '').trim() === '' ? NaN : Number(p.Time),
      dataType,
      name: String(p.Name ?? ''),
      unit: String(p.Unit ?? ''),
    };
  });
  return out;
}

/** Every other action: `{ requestId, messageId?, data, body, attempts, elapsedMs }`. */
export function callResult(body, attempts, elapsedMs) {
  const out = meta({}, body, attempts, elapsedMs);
  if (body.Data?.MessageId !== undefined) out.messageId = String(body.Data.MessageId);
  out.data = body.Data;
  out.body = body;
  return out;
}
