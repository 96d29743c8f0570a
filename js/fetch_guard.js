// The global `fetch`, guarded while gloo-net calls it (src/client/transport.rs): gloo-net panics
// (and the shipped wasm traps) when fetch rejects with something that is not an Error, resolves
// to something that is not a Response, or throws. Guarded, each of these is a TypeError, which
// the client reports as a NetworkError. Installed and removed around one synchronous step, so no
// other code ever sees it.

let inner = null;

/** `e` as an Error of this realm (gloo-net checks `instanceof Error`). */
function asError(e) {
  if (e instanceof Error) return e;
  if (typeof e === 'string') return new TypeError(e);
  if (e !== null && typeof e === 'object' && typeof e.message === 'string') return new TypeError(e.message);
  return new TypeError(`fetch failed with a non-Error value (${e === null ? 'null' : typeof e})`);
}

const asResponse = (r) => (r instanceof Response ? r : Promise.reject(new TypeError('fetch did not resolve to a Response')));

function guarded(...args) {
  try {
    return Promise.resolve(inner(...args)).then(asResponse, (e) => Promise.reject(asError(e)));
  } catch (e) {
    return Promise.reject(asError(e));
  }
}

/** `on`: the global fetch replaced by its guarded form; else put back. */
export function guardFetch(on) {
  try {
    if (on) {
      inner = globalThis.fetch;
      globalThis.fetch = guarded;
    } else {
      if (globalThis.fetch === guarded) globalThis.fetch = inner;
      inner = null;
    }
  } catch {
    // A frozen global: fetch stays as it is.
  }
}
