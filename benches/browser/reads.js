// The read side at scale, in one page: every device of a product of 10,000+ (QueryDevice, 50 a
// page, NextToken past the 10,000th) and about 100,000 points of one property over 30 days
// (QueryDevicePropertyData, 50 a page), each kept as a dashboard would keep them. For each: the
// time, the pages, the requests per second against the action's QPS (50), and the page's peak
// JavaScript heap and wasm memory. `window.benchResult` holds the JSON when done.
import init, { IotClient } from '../pkg/thingcall.js';
import { loadExtras } from '../pkg/extras.js';

async function measure(read) {
  const wasmMemory = () => (globalThis.__thingcallMemory?.buffer.byteLength ?? 0);
  let peakHeap = performance.memory?.usedJSHeapSize ?? 0;
  const sampler = setInterval(() => { peakHeap = Math.max(peakHeap, performance.memory?.usedJSHeapSize ?? 0); }, 20);
  const t0 = performance.now();
  const { items, pages } = await read();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, performance.memory?.usedJSHeapSize ?? 0);
  return { items, pages, ms: Math.round(ms), requestsPerSecond: Number((pages / (ms / 1000)).toFixed(1)), peakHeapBytes: peakHeap, wasmMemoryBytes: wasmMemory() };
}

async function run() {
  const wasm = await init();
  globalThis.__thingcallMemory = wasm.memory;
  await loadExtras();
  const client = new IotClient({ endpoint: `${location.origin}/`, accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' });
  const devices = await measure(async () => {
    const kept = [];
    for await (const d of client.devices('a1LampDemo0')) kept.push(d);
    return { items: kept.length, pages: Math.ceil(kept.length / 50) };
  });
  const to = Date.now();
  const from = to - 29.5 * 86_400_000;
  const history = await measure(async () => {
    const kept = [];
    let pages = 0;
    for await (const page of client.propertyHistory({ productKey: 'a1LampDemo0', deviceName: 'lamp-01' }, 'Temperature', { from, to })) {
      pages++;
      for (const p of page) kept.push(p);
    }
    return { items: kept.length, pages };
  });
  window.benchResult = { devices, history };
}

run().catch((e) => { window.benchResult = { error: String(e?.stack ?? e) }; });
