// Live values for the dashboard's pages: the platform's server-side subscription (AMQP 1.0,
// consumed with rhea, the client of the platform's own Node.js sample) turned into Server-Sent
// Events at GET /events.
//
// - The backend is one member of a consumer group. It logs in as the platform documents (user
//   name with its key, a timestamp and the group; password the HMAC-SHA1 of them, made anew at
//   each connect), reconnects with back-off, and settles a message only once it is in its
//   buffer: one lost in between comes again (at-least-once).
// - Each message becomes an event with an id (rising): `property` (a property report), `event`
//   (an event a device raised), `reply` (an asynchronous service call's reply) or `status` (a
//   device's connection). A message pushed again (same platform `messageId`) is streamed once.
//   The last `replay` events are kept: a page that reconnects with `Last-Event-ID` gets what it missed, or a `gap` event when
//   that is older than what is kept (it then reads the snapshot again).
// - A page sees only the devices of the dashboard's products (its session's policy names the
//   same products). A slow page never slows the others: each has its own queue of at most
//   `queue` events; past it the queue is dropped and the page gets `gap`.
// - A comment every `heartbeatMs` keeps proxies from closing an idle stream.
import { createHmac } from 'node:crypto';
import rhea from 'rhea';

/** The platform's AMQP user name and password for `accessKeyId` at `timestamp` (ms). */
export function amqpLogin({ clientId, accessKeyId, accessKeySecret, group, instanceId = '' }, timestamp) {
  const username = `${clientId}|authMode=aksign,signMethod=hmacsha1,timestamp=${timestamp},authId=${accessKeyId},iotInstanceId=${instanceId},consumerGroupId=${group}|`;
  const password = createHmac('sha1', accessKeySecret).update(`authId=${accessKeyId}&timestamp=${timestamp}`).digest('base64');
  return { username, password };
}

/** A platform message (topic and JSON body) as the event a page gets, or null. */
export function eventOf(topic, body) {
  const device = { productKey: body.productKey, deviceName: body.deviceName, iotId: body.iotId };
  if (/^\/[^/]+\/[^/]+\/thing\/event\/property\/post$/.test(topic)) {
    return { type: 'property', device, items: body.items ?? {} };
  }
  const event = /^\/[^/]+\/[^/]+\/thing\/event\/([^/]+)\/post$/.exec(topic);
  if (event) {
    return { type: 'event', device, identifier: body.identifier ?? event[1], name: body.name ?? '', eventType: body.type ?? '', time: body.time, value: body.value ?? {} };
  }
  if (/^\/[^/]+\/[^/]+\/thing\/downlink\/reply\/message$/.test(topic)) {
    // The reply of an asynchronous service call: `requestId` is the call's MessageId.
    const service = /\/thing\/service\/([^/]+)$/.exec(String(body.topic ?? ''))?.[1] ?? '';
    return { type: 'reply', device, requestId: String(body.requestId ?? ''), service, code: body.code, message: body.message ?? '', time: body.gmtCreate, data: body.data ?? {} };
  }
  if (/^\/as\/mqtt\/status\/[^/]+\/[^/]+$/.test(topic)) {
    return { type: 'status', device, status: body.status, time: Date.parse(body.utcTime ?? body.time) || null };
  }
  return null;
}

/**
 * The live feed. `url` is the platform's AMQP endpoint (`amqps://...:5671` or, for the emulator,
 * `amqp://127.0.0.1:PORT`); `products` limits what pages see (empty: every product).
 */
export function createLive({ url, accessKeyId, accessKeySecret, group = 'DEFAULT', instanceId = '', clientId = 'thingcall-backend', products = [], log = (l) => console.error(l), replay = 10_000, queue = 1_000, heartbeatMs = 15_000 }) {
  const target = new URL(url);
  const kept = []; // { id, productKey, text } of the last `replay` events
  let seq = 0;
  const pages = new Set();
  let state = 'connecting';
  let lastError = null;

  const container = rhea.create_container({ id: clientId });
  const connection = container.connect({
    // Called at each (re)connect, with the connection's options as `this` (where rhea reads
    // the SASL login from): the password signs a fresh timestamp.
    connection_details() {
      Object.assign(this, amqpLogin({ clientId, accessKeyId, accessKeySecret, group, instanceId }, Date.now()));
      return {
        host: target.hostname,
        port: Number(target.port || (target.protocol === 'amqps:' ? 5671 : 5672)),
        transport: target.protocol === 'amqps:' ? 'tls' : 'tcp',
      };
    },
    reconnect: true,
    initial_reconnect_delay: 200,
    max_reconnect_delay: 30_000,
    idle_time_out: 60_000,
  });
  connection.open_receiver({ autoaccept: false, credit_window: 256 });
  connection.on('connection_open', () => {
    state = 'live';
    lastError = null;
    log('live: subscribed to the platform (AMQP)');
  });
  connection.on('disconnected', (context) => {
    const why = context.error?.message ?? context.error?.description ?? context.error?.condition ?? 'closed';
    if (state !== 'closed') state = 'reconnecting';
    if (why !== lastError) log(`live: the AMQP connection ended (${why}); reconnecting`);
    lastError = why;
  });
  connection.on('connection_error', (context) => {
    lastError = context.connection?.error?.description ?? 'refused';
    log(`live: the platform refused the AMQP connection (${lastError})`);
  });
  // The platform's ids of the last `replay` messages: one pushed again after a reconnect
  // (at-least-once) is settled and not streamed a second time.
  const seenIds = new Set();
  const seenOrder = [];
  connection.on('message', (context) => {
    const m = context.message;
    const topic = String(m.application_properties?.topic ?? '');
    const messageId = m.application_properties?.messageId;
    if (messageId !== undefined && messageId !== null) {
      const key = String(messageId);
      if (seenIds.has(key)) {
        context.delivery.accept();
        return;
      }
      seenIds.add(key);
      seenOrder.push(key);
      if (seenOrder.length > replay) seenIds.delete(seenOrder.shift());
    }
    const raw = Buffer.isBuffer(m.body) ? m.body : Buffer.isBuffer(m.body?.content) ? m.body.content : Buffer.from(typeof m.body === 'string' ? m.body : JSON.stringify(m.body ?? null));
    let body;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      context.delivery.accept(); // not JSON: nothing a page could show
      return;
    }
    const event = eventOf(topic, body);
    if (event && (products.length === 0 || products.includes(event.device.productKey))) {
      const id = ++seq;
      const item = { id, productKey: event.device.productKey, text: `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n` };
      kept.push(item);
      if (kept.length > replay) kept.shift();
      for (const page of pages) page.push(item);
    }
    // Settled once it is kept: a message lost before this comes again.
    context.delivery.accept();
  });

  /** GET /events for a signed-in page. */
  function handle(req, res) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.write(`retry: 1000\n: thingcall live, ${state}\n\n`);
    const page = {
      waiting: [],
      blocked: false,
      push(item) {
        if (this.waiting.length >= queue) {
          // Too slow: what it would get is dropped; it re-reads the snapshot.
          this.waiting = [`event: gap\ndata: {"reason":"slow"}\n\n`];
          return;
        }
        this.waiting.push(item.text);
        this.flush();
      },
      flush() {
        while (!this.blocked && this.waiting.length) {
          if (!res.write(this.waiting.shift())) {
            this.blocked = true;
            res.once('drain', () => { this.blocked = false; this.flush(); });
          }
        }
      },
    };
    // Where the page left off: EventSource's Last-Event-ID, or `?lastEventId=` for a page that
    // opens a new EventSource itself. None: from now on.
    const given = req.headers['last-event-id'] ?? new URL(req.url, 'http://x').searchParams.get('lastEventId');
    const from = given === undefined || given === null || given === '' ? NaN : Number(given);
    if (Number.isInteger(from) && from >= 0 && from < seq) {
      const first = kept[0]?.id ?? seq + 1;
      if (from + 1 < first) page.waiting.push(`event: gap\ndata: {"reason":"replay"}\n\n`);
      for (const item of kept) if (item.id > from) page.waiting.push(item.text);
      page.flush();
    }
    pages.add(page);
    page.beat = setInterval(() => { if (!page.blocked) res.write(': heartbeat\n\n'); }, heartbeatMs);
    const done = () => {
      clearInterval(page.beat);
      pages.delete(page);
    };
    req.on('close', done);
    res.on('error', done);
  }

  return {
    handle,
    state: () => state,
    lastError: () => lastError,
    close: () => new Promise((resolveClose) => {
      state = 'closed';
      for (const page of pages) {
        page.waiting = [];
        clearInterval(page.beat);
      }
      pages.clear();
      connection.once('connection_close', () => resolveClose());
      connection.close();
      setTimeout(resolveClose, 1000).unref();
    }),
  };
}
