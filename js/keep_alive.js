// A timer that does nothing, held for as long as a call runs (src/client/time.rs): Node (and
// Deno) do not count `AbortSignal.timeout`'s timer as pending work, so without it a script whose
// only work is a call could exit before the call's deadline fired.
const nothing = () => {};

/** A timer of `ms` that keeps the event loop alive; its id, for `clearTimeout`. */
export function keepAlive(ms) {
  return setTimeout(nothing, ms);
}
