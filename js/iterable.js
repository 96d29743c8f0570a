// What wasm-bindgen cannot declare on an exported class: `Symbol.asyncIterator`, which makes
// `for await (const task of client.tasks(jobId))` work on the object `tasks()` returns.

/** `it` (an object with `next()` returning promises of iterator results), made async-iterable. */
export function asyncIterable(it) {
  it[Symbol.asyncIterator] = function asyncIterator() {
    return this;
  };
  return it;
}
