// The time from `import` to a ready client in a fresh page: the first entry (its module, then
// `init()`: fetch, compile, instantiate; then `new IotClient`), then the second entry added
// (`loadExtras()`: its module, fetch, compile, instantiate into the first). `window.benchResult`.
try {
  const t0 = performance.now();
  const thingcall = await import('../pkg/thingcall.js');
  await thingcall.default();
  const client = new thingcall.IotClient({ endpoint: `${location.origin}/`, accessKeyId: 'id', accessKeySecret: 'secret' });
  const t1 = performance.now();
  const { loadExtras } = await import('../pkg/extras.js');
  await loadExtras();
  const t2 = performance.now();
  if (typeof client.presign('QueryProductList', {}) !== 'string') throw new Error('the second entry is not in');
  window.benchResult = { firstMs: t1 - t0, secondMs: t2 - t1, bothMs: t2 - t0 };
} catch (e) {
  window.benchResult = { error: String(e) };
}
