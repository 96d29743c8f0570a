// `npm start`: set up, build pkg/, build and start the emulator serving www/ and pkg/, and print
// the demo's URL. Extra arguments go to the emulator (`npm start -- --port 9000`).
import { run, startEmulator } from './lib.mjs';
import { build } from './build.mjs';

const args = process.argv.slice(2);
const portAt = args.indexOf('--port');
const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : Number(process.env.PORT || 8686);

try {
  build();
  run('cargo', ['build', '-p', 'thingcall-emulator']);
} catch (e) {
  console.error(e.message);
  process.exit(e.exitCode ?? 1);
}
const emulator = await startEmulator({ port, args, quiet: false });
console.log(`\nthingcall demo: ${emulator.url}/  (demo key thingcall-demo / thingcall-demo-secret; Ctrl+C stops)`);
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => emulator.stop().then(() => process.exit(0)));
emulator.child.once('exit', (code) => process.exit(code ?? 0));
