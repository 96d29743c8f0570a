// Shared helpers of the npm scripts: running commands, the PATH they need, the emulator process.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { homedir } from 'node:os';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The environment every step runs in: cargo's bin and node_modules/.bin first on PATH. */
export const env = {
  ...process.env,
  PATH: [join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'bin'), join(root, 'node_modules', '.bin'), process.env.PATH].join(':'),
};

/** Runs a command in the repo, inheriting stdio; throws when it fails. */
export function run(cmd, args, opts = {}) {
  console.error(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...opts.env } });
  if (r.status !== 0) {
    const err = new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    err.exitCode = r.status ?? 1;
    throw err;
  }
}

/**
 * Starts the emulator binary and resolves once it prints its `listening on` line.
 * Returns { url, amqpUrl (with --amqp-port), child, stop() }.
 */
export function startEmulator({ port = 0, args = [], quiet = true, profile = 'debug' } = {}) {
  const bin = join(root, 'target', profile, 'thingcall-emulator');
  const child = spawn(bin, ['--port', String(port), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(/(?:^|\n)listening on (http:\/\/\S+)/);
      // With --amqp-port, its line too (`amqp listening on amqp://...`).
      const amqp = out.match(/amqp listening on (amqp:\/\/\S+)/);
      if (m && (amqp || !args.includes('--amqp-port'))) {
        child.stdout.off('data', onData);
        if (!quiet) {
          process.stdout.write(out);
          child.stdout.pipe(process.stdout);
        } else child.stdout.resume();
        resolve({
          url: m[1],
          amqpUrl: amqp?.[1],
          child,
          stop: () => new Promise((res) => {
            if (child.exitCode !== null) return res();
            child.once('exit', res);
            child.kill('SIGTERM');
          }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before listening: ${out}`)));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server started next). */
/**
 * The reference backend's environment (deploy/backend) in front of the emulator `emulator`
 * (`{ url, amqpUrl? }`): the emulator's demo key, the dashboard's role, the demo lamps' product,
 * live values when the emulator serves AMQP, any free port; `extra` overrides any of it.
 */
export function demoBackendEnv(emulator, extra = {}) {
  return {
    THINGCALL_ACCESS_KEY_ID: 'thingcall-demo',
    THINGCALL_ACCESS_KEY_SECRET: 'thingcall-demo-secret',
    THINGCALL_ROLE_ARN: 'acs:ram::local:role/thingcall-dashboard',
    THINGCALL_UPSTREAM: emulator.url,
    THINGCALL_STS_ENDPOINT: emulator.url,
    THINGCALL_PRODUCTS: 'a1LampDemo0',
    ...(emulator.amqpUrl && { THINGCALL_AMQP_URL: emulator.amqpUrl }),
    PORT: '0',
    ...extra,
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Debian's Chromium, headless, as every browser test and the benchmark launch it (root needs
 * --no-sandbox; nothing is downloaded or phoned home). */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The emulator `npm test` started (THINGCALL_EMULATOR_URL), or one of the caller's own;
 * `{ url, stop }`, where stop only stops one it started. */
export async function sharedEmulator() {
  if (process.env.THINGCALL_EMULATOR_URL) return { url: process.env.THINGCALL_EMULATOR_URL, stop: async () => {} };
  const e = await startEmulator();
  return { url: e.url, stop: () => e.stop() };
}
