// `npm run soak [-- CALLS]`: the fault run of tests/node/faults.test.mjs at scale (100,000 calls
// by default) against an emulator of its own, printing the same figures and the memory of the
// client (this process, and the wasm's linear memory) and of the emulator before and after.
// Fails (exit 1) on any violation. Needs pkg/ (`npm run build`); builds the emulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, run, startEmulator } from './lib.mjs';
import { faultRun, FAULTS } from './faultrun.mjs';

const calls = Number(process.argv[2] ?? 100_000);
run('cargo', ['build', '--profile', 'emulator', '-p', 'thingcall-emulator']);
const pkg = await import(join(root, 'pkg', 'thingcall.js'));
const wasm = pkg.initSync({ module: readFileSync(join(root, 'pkg', 'thingcall_bg.wasm')) });
const emulator = await startEmulator({ profile: 'emulator' });

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const emulatorRss = () => {
  const m = readFileSync(`/proc/${emulator.child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) * 1024 : NaN;
};
const memory = () => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { clientRss: m.rss, clientHeap: m.heapUsed, wasm: wasm.memory.buffer.byteLength, emulatorRss: emulatorRss() };
};

let code = 0;
try {
  const before = memory();
  console.log(`soak: ${calls.toLocaleString('en')} sync invokes, 20 devices, concurrency 32, faults ${JSON.stringify(FAULTS)}`);
  const { figures, violations } = await faultRun({
    IotClient: pkg.IotClient,
    url: emulator.url,
    key: { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' },
    productKey: 'a1LampDemo0',
    calls,
    onBatch: (done, f) => console.log(`  ${done.toLocaleString('en')} calls: ok ${f.ok}, unknown ${f.unknown}, rejected ${f.rejected}, not sent ${f.notSent}`),
  });
  const after = memory();
  const stats = await (await fetch(`${emulator.url}/_emulator/stats`)).json();
  console.log(`\n${JSON.stringify(figures, null, 1)}`);
  console.log(`calls/s ${Math.round((calls / figures.ms) * 1000)}; attempts per call ${(figures.attempts / calls).toFixed(3)}`);
  console.log(`unknown: ${figures.unknown} (${figures.unknownReached} ran and lost their answer or timed out at the device, ${figures.unknownNotReached} did not run)`);
  console.log('memory          before     after');
  for (const k of Object.keys(before)) console.log(`  ${k.padEnd(12)}  ${mb(before[k]).padStart(9)}  ${mb(after[k]).padStart(9)}`);
  console.log(`emulator nonce cache ${stats.nonces}, requests ${stats.requests}`);
  if (violations.length) {
    console.error(`\n${violations.length} violations:\n${violations.slice(0, 20).join('\n')}`);
    code = 1;
  } else {
    console.log('\nno violations: every call settled, none ran twice, every call that ran without an ok answer was unknown');
  }
} finally {
  await emulator.stop();
}
process.exit(code);
