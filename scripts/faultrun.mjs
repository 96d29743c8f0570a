// Synchronous invokes under injected faults, and what came of each: shared by the fault test
// (tests/node/faults.test.mjs, 1,000 calls) and `npm run soak` (100,000 calls, scripts/soak.mjs).
//
// Every call carries a unique id in its Args; afterwards the emulator's device log says which
// calls reached a device. The run checks that every call settled, each as ok or a
// ThingcallError with an outcome; that each ok call reached its device exactly once and no call
// twice (retryUnknown off); that calls refused before anything ran (rejected, not sent) never
// reached a device; and that every call that reached a device without an ok answer is `unknown`.

/** The faults of the run: 503s, throttling, dropped answers and device timeouts. */
export const FAULTS = { errorRate: 0.1, throttleRate: 0.1, dropRate: 0.05, deviceTimeoutRate: 0.02, rrpcTimeoutMs: 200 };

/**
 * Runs `calls` Echo invokes over `devices` lamps at `concurrency` through `IotClient` against
 * the emulator at `url`. The emulator's log holds 10,000 entries: the log is read (and reset)
 * every `batch` calls. Returns the figures and the list of violations (empty when all held).
 */
export async function faultRun({ IotClient, url, key, productKey, calls = 1000, devices = 20, concurrency = 32, batch = 5000, onBatch }) {
  const post = (path, body) => fetch(`${url}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
  const client = new IotClient({ endpoint: url, ...key, timeoutMs: 10_000, retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200, retryUnknown: false } });
  const figures = { calls, ok: 0, rejected: 0, notSent: 0, unknown: 0, reachedDevice: 0, unknownReached: 0, unknownNotReached: 0, byCode: {}, attempts: 0, ms: 0 };
  const violations = [];
  const t0 = performance.now();
  for (let start = 0; start < calls; start += batch) {
    const n = Math.min(batch, calls - start);
    await post('reset', {});
    await post('faults', FAULTS);
    const results = new Array(n);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < n; i = next++) {
        const id = `call-${start + i}`;
        const deviceName = `lamp-${String(((start + i) % devices) + 1).padStart(2, '0')}`;
        try {
          const r = await client.invokeThingService({ productKey, deviceName, identifier: 'Echo', args: { text: id } });
          if (r.result?.data?.text !== id) violations.push(`${id}: the answer is another call's (${JSON.stringify(r.result)})`);
          results[i] = { id, ok: true, attempts: r.attempts };
        } catch (e) {
          if (e?.name !== 'ThingcallError' || !['not_sent', 'rejected', 'unknown'].includes(e.outcome)) {
            violations.push(`${id}: not a ThingcallError with an outcome: ${e}`);
            results[i] = { id, ok: false, outcome: 'unknown', code: String(e) };
          } else {
            results[i] = { id, ok: false, outcome: e.outcome, code: e.code, attempts: e.attempts };
          }
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await post('faults', {});
    const log = await (await fetch(`${url}/_emulator/log`)).json();
    const reached = new Map();
    for (const entry of log) {
      const id = entry.args?.text;
      reached.set(id, (reached.get(id) ?? 0) + 1);
    }
    for (const r of results) {
      if (!r) { violations.push('a call never settled'); continue; }
      const times = reached.get(r.id) ?? 0;
      figures.attempts += r.attempts ?? 0;
      if (times > 1) violations.push(`${r.id}: reached its device ${times} times`);
      if (times > 0) figures.reachedDevice++;
      if (r.ok) {
        figures.ok++;
        if (times !== 1) violations.push(`${r.id}: ok, but reached its device ${times} times`);
        continue;
      }
      figures.byCode[r.code] = (figures.byCode[r.code] ?? 0) + 1;
      if (r.outcome === 'unknown') {
        figures.unknown++;
        if (times > 0) figures.unknownReached++;
        else figures.unknownNotReached++;
      } else {
        if (r.outcome === 'rejected') figures.rejected++;
        else figures.notSent++;
        if (times > 0) violations.push(`${r.id}: ${r.outcome} (${r.code}), but it reached its device`);
      }
    }
    onBatch?.(start + n, figures);
  }
  figures.ms = Math.round(performance.now() - t0);
  client.free();
  return { figures, violations };
}
