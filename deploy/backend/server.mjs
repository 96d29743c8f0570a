// The dashboard's backend: serves the dashboard's files, vends temporary credentials at /sts
// (AssumeRole with the official @alicloud/pop-core and a session Policy that allows only what the
// dashboard does, on the dashboard's products), and relays /iot/ to the IoT platform unchanged,
// when the request stays inside the dashboard's scope (scope.mjs). The long-lived AccessKey is
// read here, from the environment, and never leaves this process. docs/security.md has the
// threat model.
//
//   THINGCALL_ACCESS_KEY_ID, THINGCALL_ACCESS_KEY_SECRET  a RAM user's key that may sts:AssumeRole
//   THINGCALL_ROLE_ARN          the role the dashboard's temporary keys act as
//   THINGCALL_UPSTREAM          the platform, e.g. https://iot.cn-shanghai.aliyuncs.com
//   THINGCALL_STS_ENDPOINT      STS (default https://sts.aliyuncs.com)
//   THINGCALL_PRODUCTS          ProductKeys the dashboard acts on, comma-separated; empty: Resource "*"
//   THINGCALL_ACTIONS           IoT actions it may call (default: what the demo dashboard calls)
//   THINGCALL_DURATION_SECONDS  lifetime of a temporary key, 900..3600 (default 900)
//   THINGCALL_STATIC            directories served, "URLPATH=DIR,..." (default: www/ at /, pkg/ at /pkg/)
//   THINGCALL_HOSTS             Host names it answers to, "host:port,..." (default: where it listens,
//                               and localhost for a loopback address): DNS rebinding gets 421
//   THINGCALL_MAX_BODY_BYTES    the largest relayed body (default 4 MiB, what the platform takes)
//   THINGCALL_MAX_CONNECTIONS   concurrent connections (default 512)
//   THINGCALL_HEADERS_TIMEOUT_MS, THINGCALL_REQUEST_TIMEOUT_MS
//                               time a client has for its headers (default 5 s) and its whole
//                               request (default 20 s); slower clients are dropped
//   THINGCALL_AMQP_URL          the platform's server-side subscription (AMQP 1.0), e.g.
//                               amqps://${uid}.iot-amqp.cn-shanghai.aliyuncs.com:5671; when set,
//                               GET /events streams live values to pages (live.mjs)
//   THINGCALL_AMQP_GROUP        its consumer group (default DEFAULT)
//   THINGCALL_AMQP_INSTANCE     its iotInstanceId (default empty: the public instance)
//   THINGCALL_AMQP_CLIENT_ID    this backend's clientId (default thingcall-backend-<pid>)
//   HOST, PORT                  where to listen (default 127.0.0.1:8686)
//
// Put your own sign-in in front of /sts (the `authorize` option of createBackend): whoever can
// POST to it gets the dashboard's permissions.
import { createServer } from 'node:http';
import { createReadStream, realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import RPCClient from '@alicloud/pop-core';
import { createScope, OutOfScope } from './scope.mjs';
import { createLive } from './live.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The IoT actions the demo dashboard calls: the default of THINGCALL_ACTIONS. */
export const DASHBOARD_ACTIONS = [
  'QueryProductList', 'QueryThingModel', 'QueryDevice', 'QueryDeviceDetail',
  'QueryDevicePropertyStatus', 'InvokeThingService', 'SetDeviceProperty',
  'BatchQueryDeviceDetail', 'QueryDevicePropertyData', 'QueryDevicePropertiesData',
  'QueryDeviceEventData', 'QueryDeviceServiceData',
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
  const whole = (name, fallback, min) => {
    const v = Number(env[name] || fallback);
    if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer of at least ${min}`);
    return v;
  };
  const duration = Number(env.THINGCALL_DURATION_SECONDS || 900);
  if (!Number.isInteger(duration) || duration < 900 || duration > 3600) {
    throw new Error('THINGCALL_DURATION_SECONDS must be an integer from 900 to 3600');
  }
  const host = env.HOST || '127.0.0.1';
  if (['0.0.0.0', '::', ''].includes(host) && !env.THINGCALL_HOSTS) {
    throw new Error('THINGCALL_HOSTS is required when HOST listens on every address: the names the dashboard is reached by');
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
    host,
    port: Number(env.PORT || 8686),
    hosts: list(env.THINGCALL_HOSTS),
    maxBodyBytes: whole('THINGCALL_MAX_BODY_BYTES', 4 << 20, 1024),
    maxConnections: whole('THINGCALL_MAX_CONNECTIONS', 512, 1),
    headersTimeoutMs: whole('THINGCALL_HEADERS_TIMEOUT_MS', 5000, 100),
    requestTimeoutMs: whole('THINGCALL_REQUEST_TIMEOUT_MS', 20_000, 100),
    amqpUrl: env.THINGCALL_AMQP_URL || '',
    amqpGroup: env.THINGCALL_AMQP_GROUP || 'DEFAULT',
    amqpInstance: env.THINGCALL_AMQP_INSTANCE || '',
    amqpClientId: env.THINGCALL_AMQP_CLIENT_ID || `thingcall-backend-${process.pid}`,
  };
}

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json',
  '.ts': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};
/** Temporary keys are handed out again until this long before they expire. */
const REUSE_MARGIN_MS = 5 * 60_000;
/** Signed-in users whose temporary keys are kept (the oldest dropped first). */
const MAX_SESSIONS = 1000;
/** The platform's codes for a key it no longer takes: the cached key is dropped. */
const REFUSED_KEY = new Set(['InvalidAccessKeyId.NotFound', 'InvalidAccessKeyId.Inactive', 'InvalidSecurityToken.Expired', 'InvalidSecurityToken.MismatchWithAccessKey', 'InvalidSecurityToken.Malformed']);
/** What every answer carries: the page is not framed, and no answer is sniffed for another type. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
/** The content types of the platform's answers the relay passes on. */
const PLATFORM_TYPES = /^(application\/json|application\/xml|text\/xml|text\/json)\b/i;

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

/** A request's body, at most `max` bytes (413 past it, before reading when Content-Length says so). */
async function readBody(req, max) {
  const declared = Number(req.headers['content-length']);
  if (declared > max) throw Object.assign(new Error(`request body over ${max} bytes`), { status: 413 });
  const chunks = [];
  let size = 0;
  for await (const c of req) {
    size += c.length;
    if (size > max) throw Object.assign(new Error(`request body over ${max} bytes`), { status: 413 });
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

/** The parameters of a relayed request: its query and, for a form body, the body. */
/** What signature V3 signs besides `host`, passed on with its `Authorization`. */
const V3_HEADERS = ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'x-acs-security-token'];

function paramsOf(target, contentType, body) {
  const q = target.indexOf('?');
  const params = q < 0 ? [] : [...new URLSearchParams(target.slice(q + 1))];
  if (body?.length) {
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '')) return null;
    params.push(...new URLSearchParams(body.toString('utf8')));
  }
  return params;
}

/** A refusal as the platform words one: a business error (HTTP 200, Success false). */
function refuse(res, e) {
  send(res, 200, { RequestId: randomUUID().toUpperCase(), Success: false, Code: 'iot.common.RamActionPermissionDeny', ErrorMessage: e.message });
}

/** The relay's own session (no user's name can be it: a user is never empty-prefixed by NUL). */
const RELAY = '\u0000relay';

/** The signed-in user by default: one, anonymous (the demo has no sign-in). */
const anonymous = async () => ({ user: 'dashboard' });

/**
 * Creates the backend's HTTP server (not yet listening). `config` as from configFromEnv();
 * `log` receives one line per failure (never a secret); `authorize(req)` says who asks for a
 * key: `{ user }` (a name for the platform's audit log, one temporary key per user), or null
 * to refuse (401). Plug the dashboard's own sign-in in there.
 */
export function createBackend(config, { log = (line) => console.error(line), authorize = anonymous } = {}) {
  const sts = new RPCClient({
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    endpoint: config.stsEndpoint,
    apiVersion: '2015-04-01',
  });
  const policy = JSON.stringify(dashboardPolicy(config.actions, config.products));
  const upstream = new URL(config.upstream);
  if (!upstream.pathname.endsWith('/')) upstream.pathname += '/';

  // One AssumeRole at a time per user; its credentials are reused until shortly before they
  // expire, or until the platform refuses them.
  const sessions = new Map(); // user -> { credentials, expiresAt } | Promise
  async function credentials(user) {
    const current = sessions.get(user);
    if (current && !(current instanceof Promise) && current.expiresAt - Date.now() > REUSE_MARGIN_MS) return current.credentials;
    if (current instanceof Promise) return current;
    const pending = sts.request('AssumeRole', {
      RoleArn: config.roleArn,
      RoleSessionName: sessionName(user),
      DurationSeconds: config.durationSeconds,
      Policy: policy,
    }, { method: 'POST', timeout: 10_000 }).then((r) => {
      const c = r.Credentials;
      const credentials = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
      sessions.set(user, { credentials, expiresAt: Date.parse(c.Expiration) });
      return credentials;
    }, (e) => {
      sessions.delete(user);
      throw e;
    });
    if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
    sessions.set(user, pending);
    return pending;
  }

  /** Drops the cached key whose AccessKeyId the platform refused, so the next /sts assumes anew. */
  function refused(accessKeyId) {
    for (const [user, s] of sessions) {
      if (!(s instanceof Promise) && s.credentials.accessKeyId === accessKeyId) {
        sessions.delete(user);
        log(`sts: the platform refused the key of ${user}: dropped`);
      }
    }
  }

  // IotIds are resolved with a temporary key of the relay's own (the dashboard's policy).
  const scope = createScope({
    actions: config.actions,
    products: config.products,
    resolveIotId: async (iotId) => {
      const c = await credentials(RELAY);
      const client = new RPCClient({
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        endpoint: upstream.origin + upstream.pathname.replace(/\/$/, ''),
        apiVersion: '2018-01-20',
      });
      const r = await client.request('QueryDeviceDetail', { IotId: iotId }, { method: 'POST', timeout: 10_000 });
      if (r.Success !== true || typeof r.Data?.ProductKey !== 'string') throw new Error('no such device');
      return r.Data.ProductKey;
    },
  });

  // Live values, when the platform's subscription is configured.
  const live = config.amqpUrl
    ? createLive({
      url: config.amqpUrl,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      group: config.amqpGroup,
      instanceId: config.amqpInstance,
      clientId: config.amqpClientId ?? 'thingcall-backend',
      products: config.products,
      log,
    })
    : null;

  /** GET /events: the live feed, for the dashboard's own signed-in pages. */
  async function events(req, res) {
    if (req.method !== 'GET') return send(res, 405, { error: 'GET /events' }, { Allow: 'GET' });
    // EventSource sends no Origin for a same-origin stream; Sec-Fetch-Site says where it is from.
    if (!(await ownPage(req, res, 'GET /events'))) return;
    if (!live) return send(res, 404, { error: 'no live feed here: THINGCALL_AMQP_URL is not set' });
    live.handle(req, res);
  }

  let listening = null; // the server's own host:port, once it listens
  const hosts = () => {
    if (config.hosts.length) return config.hosts;
    const port = listening ?? config.port;
    const own = [`${config.host}:${port}`];
    if (['127.0.0.1', '::1', 'localhost'].includes(config.host)) own.push(`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`);
    return own;
  };

  /**
   * The signed-in user when `req` comes from the dashboard's own page, else null with the
   * refusal sent. A browser's same-origin request carries its Origin, or at least
   * Sec-Fetch-Site; a cross-site form or script, or a client that sends neither, is refused.
   */
  async function ownPage(req, res, what) {
    const origin = req.headers.origin;
    const sameOrigin = origin !== undefined
      ? URL.canParse(origin) && hosts().includes(new URL(origin).host)
      : req.headers['sec-fetch-site'] === 'same-origin';
    if (!sameOrigin) {
      send(res, 403, { error: `${what} from the dashboard's own page only` });
      return null;
    }
    let who;
    try {
      who = await authorize(req);
    } catch {
      who = null;
    }
    if (!who?.user) {
      send(res, 401, { error: 'sign in first' });
      return null;
    }
    return who;
  }

  async function vend(req, res) {
    if (req.method !== 'POST') return send(res, 405, { error: 'POST /sts' }, { Allow: 'POST' });
    const who = await ownPage(req, res, 'POST /sts');
    if (!who) return;
    try {
      send(res, 200, await credentials(String(who.user)));
    } catch (e) {
      // pop-core's message can quote the server's string-to-sign, which names the long-lived
      // AccessKeyId: the page gets the code only.
      log(`sts: AssumeRole failed: ${e.code ?? e.name}`);
      send(res, 502, { error: 'AssumeRole failed', code: String(e.code ?? 'Error') });
    }
  }

  async function relay(req, res) {
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, 405, { error: 'GET or POST' }, { Allow: 'GET, POST' });
    let body;
    try {
      body = req.method === 'POST' ? await readBody(req, config.maxBodyBytes) : undefined;
    } catch (e) {
      if (e.status === 413) res.setHeader('Connection', 'close');
      return send(res, e.status ?? 400, { error: e.message });
    }
    const params = paramsOf(req.url, req.headers['content-type'], body);
    if (!params) return send(res, 415, { error: 'a POST body is a form (application/x-www-form-urlencoded)' });
    // Signature V3: the action is a header (and so are the signature and what it covers).
    const v3 = /^ACS3-HMAC-SHA256 /.test(req.headers.authorization ?? '');
    if (v3 && req.headers['x-acs-action']) params.push(['Action', String(req.headers['x-acs-action'])]);
    try {
      await scope.check(params);
    } catch (e) {
      if (!(e instanceof OutOfScope)) throw e;
      log(`relay: refused: ${e.message}`);
      return refuse(res, e);
    }
    // The query as it came (its bytes untouched): what is signed must arrive as sent.
    const q = req.url.indexOf('?');
    const target = new URL(upstream.href + (q < 0 ? '' : req.url.slice(q)));
    const headers = {};
    if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
    if (v3) {
      headers.Authorization = req.headers.authorization;
      for (const name of V3_HEADERS) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    }
    let answer;
    try {
      answer = await fetch(target, { method: req.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      log(`relay: ${req.method} ${target.origin}: ${e.cause?.code ?? e.name}`);
      return send(res, 502, { error: 'the platform did not answer' });
    }
    const type = answer.headers.get('content-type') ?? '';
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (!PLATFORM_TYPES.test(type)) {
      log(`relay: the platform answered HTTP ${answer.status} as ${type || 'no type'}: not passed on`);
      return send(res, 502, { error: `the platform answered HTTP ${answer.status} with ${type || 'no content type'}` });
    }
    if (/json/i.test(type) && bytes.length < 1 << 20) {
      let parsed = null;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch { /* the client reports it */ }
      if (parsed && typeof parsed === 'object') {
        scope.answered(params, parsed);
        if (REFUSED_KEY.has(parsed.Code)) refused(params.find(([n]) => n === 'AccessKeyId')?.[1] ?? /Credential=([^,]+)/.exec(req.headers.authorization ?? '')?.[1]);
      }
    }
    // The platform's answer as it came: status, type, Date (the client reads the server's clock),
    // x-acs-retry-after.
    const out = { 'Cache-Control': 'no-store', 'Content-Type': type };
    const date = answer.headers.get('date');
    if (date) out.date = date;
    // The platform's back-off for a throttled call (ms).
    const retryAfter = answer.headers.get('x-acs-retry-after');
    if (retryAfter) out['x-acs-retry-after'] = retryAfter;
    res.sendDate = !out.date;
    // Data, never a page of this site (even if a browser is sent to it).
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; sandbox");
    res.writeHead(answer.status, out);
    res.end(bytes);
  }

  // The served directories as the file system resolves them (a symlinked checkout included).
  const statics = config.statics.map(([prefix, dir]) => [prefix, realpathSync(dir)]);
  async function serveStatic(req, res, path) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    let decoded;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return send(res, 404, { error: 'not found' });
    }
    // No dotfiles (.git, .env, ...) and no hidden directories, at any depth.
    if (decoded.split('/').some((segment) => segment.startsWith('.'))) return send(res, 404, { error: 'not found' });
    for (const [prefix, dir] of statics) {
      if (!decoded.startsWith(prefix)) continue;
      let file = resolve(dir, `.${sep}${decoded.slice(prefix.length)}`);
      if (file !== dir && !file.startsWith(dir + sep)) return send(res, 404, { error: 'not found' });
      let s = await stat(file).catch(() => null);
      if (s?.isDirectory()) {
        file = join(file, 'index.html');
        s = await stat(file).catch(() => null);
      }
      if (!s?.isFile()) continue;
      // A symlink may lead out of the served directory: the file's real path must stay in it.
      const real = await realpath(file).catch(() => null);
      if (!real || !real.startsWith(dir + sep)) return send(res, 404, { error: 'not found' });
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': s.size,
        'Cache-Control': 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      return createReadStream(real).pipe(res);
    }
    send(res, 404, { error: 'not found' });
  }

  const server = createServer({
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // How often the two time-outs above are checked (Node's default, 30 s, would let a slow
    // client hold its connection that long).
    connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs),
    keepAliveTimeout: 5000,
  }, (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // DNS rebinding: a name that resolves to this server but is not its own gets nothing.
    if (!hosts().includes(req.headers.host)) return send(res, 421, { error: 'this server does not answer to that Host' });
    const url = new URL(req.url, 'http://backend.invalid');
    let work;
    if (url.pathname === '/sts') work = vend(req, res);
    else if (url.pathname === '/events') work = events(req, res);
    // The platform's API is its root path and nothing else: only `/iot/` (the raw path, before
    // any decoding) is relayed, with its query as it came (what is signed must arrive as sent).
    // Any other path under /iot is not the API (the upstream's other paths, an emulator's test
    // control) and is not forwarded.
    else if (rawPath(req.url) === '/iot/') work = relay(req, res);
    else if (url.pathname === '/iot' || url.pathname.startsWith('/iot/') || !req.url.startsWith('/')) work = Promise.resolve(send(res, 404, { error: 'not found: the platform API is at /iot/' }));
    else work = serveStatic(req, res, url.pathname);
    work.catch((e) => {
      log(`backend: ${req.method} ${url.pathname}: ${e.message}`);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  server.maxConnections = config.maxConnections;
  server.on('listening', () => {
    const a = server.address();
    if (a && typeof a === 'object') listening = a.port;
  });
  server.once('close', () => {
    sts.keepAliveAgent?.destroy();
    live?.close();
  });
  return server;
}

/** A RoleSessionName for `user` (2 to 64 of letters, digits and `_+=,.@-`): the platform's audit log shows it. */
function sessionName(user) {
  const name = `thingcall-${user}`.replace(/[^\w+=,.@-]/g, '_').slice(0, 64);
  return name;
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
