// The dashboard's backend: serves the dashboard's files, vends temporary credentials at /sts
// (AssumeRole with the official @alicloud/pop-core and a session Policy that allows only what the
// dashboard does, on the dashboard's products), and relays /iot/ to the IoT platform unchanged.
// The long-lived AccessKey is read here, from the environment, and never leaves this process.
//
//   THINGCALL_ACCESS_KEY_ID, THINGCALL_ACCESS_KEY_SECRET  a RAM user's key that may sts:AssumeRole
//   THINGCALL_ROLE_ARN          the role the dashboard's temporary keys act as
//   THINGCALL_UPSTREAM          the platform, e.g. https://iot.cn-shanghai.aliyuncs.com
//   THINGCALL_STS_ENDPOINT      STS (default https://sts.aliyuncs.com)
//   THINGCALL_PRODUCTS          ProductKeys the dashboard acts on, comma-separated; empty: Resource "*"
//   THINGCALL_ACTIONS           IoT actions it may call (default: what the demo dashboard calls)
//   THINGCALL_DURATION_SECONDS  lifetime of a temporary key, 900..3600 (default 900)
//   THINGCALL_STATIC            directories served, "URLPATH=DIR,..." (default: www/ at /, pkg/ at /pkg/)
//   HOST, PORT                  where to listen (default 127.0.0.1:8686)
//
// Put your own sign-in in front of /sts: whoever can POST to it gets the dashboard's permissions.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import RPCClient from '@alicloud/pop-core';

const here = dirname(fileURLToPath(import.meta.url));

/** The IoT actions the demo dashboard calls: the default of THINGCALL_ACTIONS. */
export const DASHBOARD_ACTIONS = [
  'QueryProductList', 'QueryThingModel', 'QueryDevice', 'QueryDeviceDetail',
  'QueryDevicePropertyStatus', 'InvokeThingService', 'SetDeviceProperty',
  'CreateJob', 'QueryJob', 'QueryJobStatistics', 'ListTask', 'CancelJob',
];

/** The actions that name no product in their parameters (a job is named by its JobId). */
const UNSCOPED = new Set(['QueryProductList', 'CreateJob', 'QueryJob', 'QueryJobStatistics', 'ListTask', 'CancelJob']);

/**
 * The session policy for `actions` on `products`: the actions that name no product
 * (QueryProductList, the job actions) on "*", the others on each product's resource, or on "*" when no product is
 * given (the platform's RAM page documents API-level authorization only).
 */
export function dashboardPolicy(actions = DASHBOARD_ACTIONS, products = []) {
  const unscoped = actions.filter((a) => UNSCOPED.has(a));
  const scoped = actions.filter((a) => !UNSCOPED.has(a));
  const statements = [];
  if (scoped.length) {
    statements.push({
      Effect: 'Allow',
      Action: scoped.map((a) => `iot:${a}`),
      Resource: products.length ? products.map((pk) => `acs:iot:*:*:product/${pk}`) : '*',
    });
  }
  if (unscoped.length) statements.push({ Effect: 'Allow', Action: unscoped.map((a) => `iot:${a}`), Resource: '*' });
  return { Version: '1', Statement: statements };
}

const list = (s) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/** The backend's settings from `env` (process.env by default). Throws naming what is missing. */
export function configFromEnv(env = process.env) {
  const need = (name) => {
    const v = env[name];
    if (!v) throw new Error(`${name} is not set (see deploy/backend/server.mjs)`);
    return v;
  };
  const statics = env.THINGCALL_STATIC
    ? list(env.THINGCALL_STATIC).map((e) => {
      const at = e.indexOf('=');
      if (at < 1) throw new Error(`THINGCALL_STATIC: "${e}" is not URLPATH=DIR`);
      return [e.slice(0, at), resolve(e.slice(at + 1))];
    })
    : [['/pkg/', resolve(here, '../../pkg')], ['/', resolve(here, '../../www')]];
  const duration = Number(env.THINGCALL_DURATION_SECONDS || 900);
  if (!Number.isInteger(duration) || duration < 900 || duration > 3600) {
    throw new Error('THINGCALL_DURATION_SECONDS must be an integer from 900 to 3600');
  }
  return {
    accessKeyId: need('THINGCALL_ACCESS_KEY_ID'),
    accessKeySecret: need('THINGCALL_ACCESS_KEY_SECRET'),
    roleArn: need('THINGCALL_ROLE_ARN'),
    upstream: need('THINGCALL_UPSTREAM'),
    stsEndpoint: env.THINGCALL_STS_ENDPOINT || 'https://sts.aliyuncs.com',
    products: list(env.THINGCALL_PRODUCTS),
    actions: env.THINGCALL_ACTIONS ? list(env.THINGCALL_ACTIONS) : DASHBOARD_ACTIONS,
    durationSeconds: duration,
    statics,
    host: env.HOST || '127.0.0.1',
    port: Number(env.PORT || 8686),
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
/** The most a relayed request body may hold (the platform refuses larger ones anyway). */
const MAX_BODY = 8 << 20;
/** Temporary keys are handed out again until this long before they expire. */
const REUSE_MARGIN_MS = 5 * 60_000;

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/**
 * Creates the backend's HTTP server (not yet listening). `config` as from configFromEnv();
 * `log` receives one line per failure (never a secret).
 */
export function createBackend(config, { log = (line) => console.error(line) } = {}) {
  const sts = new RPCClient({
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    endpoint: config.stsEndpoint,
    apiVersion: '2015-04-01',
  });
  const policy = JSON.stringify(dashboardPolicy(config.actions, config.products));
  const upstream = new URL(config.upstream);
  if (!upstream.pathname.endsWith('/')) upstream.pathname += '/';

  // One AssumeRole at a time; its credentials are reused until shortly before they expire.
  let current = null; // { credentials, expiresAt } | Promise
  async function credentials() {
    if (current && !(current instanceof Promise) && current.expiresAt - Date.now() > REUSE_MARGIN_MS) return current.credentials;
    if (current instanceof Promise) return current;
    const pending = sts.request('AssumeRole', {
      RoleArn: config.roleArn,
      RoleSessionName: 'thingcall-dashboard',
      DurationSeconds: config.durationSeconds,
      Policy: policy,
    }, { method: 'POST', timeout: 10_000 }).then((r) => {
      const c = r.Credentials;
      const credentials = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
      current = { credentials, expiresAt: Date.parse(c.Expiration) };
      return credentials;
    }, (e) => {
      current = null;
      throw e;
    });
    current = pending;
    return pending;
  }

  async function vend(req, res) {
    if (req.method !== 'POST') return send(res, 405, { error: 'POST /sts' }, { Allow: 'POST' });
    try {
      send(res, 200, await credentials());
    } catch (e) {
      // pop-core's message can quote the server's string-to-sign, which names the long-lived
      // AccessKeyId: the page gets the code only.
      log(`sts: AssumeRole failed: ${e.code ?? e.name}`);
      send(res, 502, { error: 'AssumeRole failed', code: String(e.code ?? 'Error') });
    }
  }

  async function relay(req, res, rest) {
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { error: 'GET or POST' }, { Allow: 'GET, POST' });
    let body;
    try {
      body = req.method === 'POST' ? await readBody(req) : undefined;
    } catch (e) {
      return send(res, e.status ?? 400, { error: e.message });
    }
    const target = new URL(upstream.href + rest);
    const headers = {};
    if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
    let answer;
    try {
      answer = await fetch(target, { method: req.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      log(`relay: ${req.method} ${target.origin}: ${e.cause?.code ?? e.name}`);
      return send(res, 502, { error: 'the platform did not answer' });
    }
    // The platform's answer as it came: status, type, Date (the client reads the server's clock).
    const out = { 'Cache-Control': 'no-store' };
    for (const h of ['content-type', 'date']) {
      const v = answer.headers.get(h);
      if (v) out[h] = v;
    }
    res.sendDate = !out.date;
    res.writeHead(answer.status, out);
    res.end(Buffer.from(await answer.arrayBuffer()));
  }

  async function serveStatic(req, res, path) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    for (const [prefix, dir] of config.statics) {
      if (!path.startsWith(prefix)) continue;
      let file = resolve(dir, `.${sep}${decodeURIComponent(path.slice(prefix.length))}`);
      if (file !== dir && !file.startsWith(dir + sep)) return send(res, 404, { error: 'not found' });
      let s = await stat(file).catch(() => null);
      if (s?.isDirectory()) {
        file = join(file, 'index.html');
        s = await stat(file).catch(() => null);
      }
      if (!s?.isFile()) continue;
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': s.size,
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      return createReadStream(file).pipe(res);
    }
    send(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://backend.invalid');
    res.setHeader('Referrer-Policy', 'no-referrer');
    let work;
    if (url.pathname === '/sts') work = vend(req, res);
    // The platform's API is its root path and nothing else: only `/iot/` (the raw path, before
    // any decoding) is relayed, with its query as it came (what is signed must arrive as sent).
    // Any other path under /iot is not the API (the upstream's other paths, an emulator's test
    // control) and is not forwarded.
    else if (rawPath(req.url) === '/iot/') work = relay(req, res, req.url.slice('/iot/'.length));
    else if (url.pathname === '/iot' || url.pathname.startsWith('/iot/')) work = Promise.resolve(send(res, 404, { error: 'not found: the platform API is at /iot/' }));
    else work = serveStatic(req, res, url.pathname);
    work.catch((e) => {
      log(`backend: ${req.method} ${url.pathname}: ${e.message}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.once('close', () => sts.keepAliveAgent?.destroy());
  return server;
}

/** The path of a request target as it came, without its query. */
function rawPath(target) {
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** Starts the backend from `config`; resolves to { url, server, close() } once listening. */
export function startBackend(config, opts) {
  const server = createBackend(config, opts);
  return new Promise((resolveStart, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      const { port } = server.address();
      resolveStart({
        url: `http://${config.host}:${port}`,
        server,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const b = await startBackend(configFromEnv());
    console.log(`thingcall backend at ${b.url}/ (relaying /iot/ to ${process.env.THINGCALL_UPSTREAM})`);
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => b.close().then(() => process.exit(0)));
  } catch (e) {
    console.error(`thingcall backend: ${e.message}`);
    process.exit(1);
  }
}
