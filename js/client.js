// IotClient: the I/O half of the client. It sends what the Rust engine signs (`fetch`), keeps
// the one deadline and the caller's AbortSignal, waits out back-offs and awaits the credentials
// provider (one call at a time); the engine makes every decision: what to send, whether an
// answer is a result, a retry (after which wait, with which corrections) or a ThingcallError.
import { __Engine as Engine, __Call as Call } from './thingcall.js';
import { failure } from './thingcall_error.js';
import {
  actionOf, callOptions, clientOptions, deviceParams, flatten, invalid, presignOptions, providedCredentials,
} from './options.js';
import { callResult, invokeResult, propertyStatusResult } from './results.js';

/** What `__Call.answered` returns besides a wait in ms. */
const DONE = -1;
const FAIL = -2;

/** Why `__Call.error` is asked for an error (`cause` in src/wasm/engine.rs). */
const FAILED = 0;
const ABORTED = 1;
const TIMEOUT = 2;
const CREDENTIALS = 3;
const SENDING = 4;

const FORM_HEADERS = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** The message of a thrown value. */
const describe = (e) => (e instanceof Error ? e.message : typeof e === 'string' ? e : 'a non-Error value');

/** A string field of the platform's envelope (numbers as text). */
const text = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Resolves after `ms`, or as soon as `signal` aborts. */
function sleep(ms, signal) {
  if (!(ms > 0)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** `promise`, or `undefined` as soon as `signal` aborts. */
function untilAborted(promise, signal) {
  let stop;
  const aborted = new Promise((resolve) => {
    stop = resolve;
    signal.addEventListener('abort', stop);
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', stop));
}

const shellQuote = (s) => `'${s.replaceAll("'", "'\\''")}'`;

function decode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class IotClient {
  #engine;
  #endpoint;
  #post;
  #timeoutMs;
  #iotInstanceId;
  #provider;
  /** The provider call in flight, shared by every call waiting for credentials. */
  #pending = null;

  constructor(options) {
    const o = clientOptions(options);
    const r = o.retry;
    this.#endpoint = o.endpoint;
    this.#post = o.post;
    this.#timeoutMs = o.timeoutMs;
    this.#iotInstanceId = o.iotInstanceId;
    this.#provider = o.provider;
    this.#engine = new Engine(o.post, o.regionId ?? '', r.maxAttempts, r.baseDelayMs, r.maxDelayMs, r.retryUnknown, !!o.provider);
    if (!o.provider) this.#engine.setCredentials(o.accessKeyId, o.accessKeySecret, o.securityToken ?? '', NaN, Date.now());
  }

  invokeThingService(request, options) {
    return this.#device('invokeThingService', request, options, invokeResult);
  }

  setDeviceProperty(request, options) {
    return this.#device('setDeviceProperty', request, options, callResult);
  }

  queryDevicePropertyStatus(request, options) {
    return this.#device('queryDevicePropertyStatus', request, options, propertyStatusResult);
  }

  queryDeviceDetail(request, options) {
    return this.#device('queryDeviceDetail', request, options, callResult);
  }

  invokeThingsService(request, options) {
    return this.#device('invokeThingsService', request, options, callResult);
  }

  setDevicesProperty(request, options) {
    return this.#device('setDevicesProperty', request, options, callResult);
  }

  async call(action, params, options) {
    const opts = callOptions(options, this.#timeoutMs);
    if (typeof action !== 'string' || action === '') throw invalid('call: action is required');
    return this.#run(action, flatten(params ?? {}, 'params'), opts, callResult);
  }

  presign(action, params, options) {
    return `${this.#endpoint}?${this.#presigned(action, params, options, false)}`;
  }

  toCurl(action, params, options) {
    return this.#curl(this.#presigned(action, params, options, this.#post));
  }

  explain(action, params, options) {
    // Redacted by the engine: the token (and the secret, were it anywhere) as `** redacted **`.
    const [canonical, stringToSign, signature, wire] = this.#presigned(action, params, options, this.#post, true).split('\0');
    const out = {
      method: this.method,
      params: canonical.split('&').map((pair) => {
        const at = pair.indexOf('=');
        const k = decode(at < 0 ? pair : pair.slice(0, at));
        return [k, k === 'SecurityToken' ? '** redacted **' : decode(at < 0 ? '' : pair.slice(at + 1))];
      }),
      canonicalQuery: canonical,
      stringToSign,
      signature,
      url: `${this.#endpoint}?${wire}`,
      curl: this.#curl(wire),
    };
    if (this.#post) out.body = wire;
    return out;
  }

  async refreshCredentials() {
    if (!this.#provider) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.#timeoutMs);
    try {
      await untilAborted(this.#credentials(), ctl.signal);
    } catch (e) {
      throw typeof e === 'string' ? failure('CredentialsError', e, 'not_sent') : e;
    } finally {
      clearTimeout(timer);
    }
    if (ctl.signal.aborted) {
      throw failure('Timeout', `no answer within the call's deadline of ${this.#timeoutMs} ms.`, 'not_sent');
    }
  }

  get clockOffsetMs() {
    return this.#engine.clockOffsetMs;
  }

  get endpoint() {
    return this.#endpoint;
  }

  get method() {
    return this.#post ? 'POST' : 'GET';
  }

  async #device(ctx, request, options, shape) {
    const opts = callOptions(options, this.#timeoutMs);
    return this.#run(actionOf(ctx), deviceParams(ctx, request, this.#iotInstanceId), opts, shape);
  }

  #curl(wire) {
    return this.#post
      ? `curl -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data ${shellQuote(wire)} ${shellQuote(this.#endpoint)}`
      : `curl ${shellQuote(`${this.#endpoint}?${wire}`)}`;
  }

  /** The signed wire string for presign and toCurl; with `explain`, `canonicalQuery\0stringToSign\0signature\0wire`, redacted. */
  #presigned(action, params, options, post, explain = false) {
    const o = presignOptions(options);
    const flat = flatten(params ?? {}, 'params');
    return this.#engine.presign(String(action ?? ''), flat, post, o.nonce ?? '', o.timestamp ?? '', o.timestampMs, Date.now(), explain);
  }

  /** Fetches credentials from the provider (single-flight). Rejects with a message string, or a
   * ThingcallError when the engine refuses them. */
  #credentials() {
    this.#pending ??= (async () => {
      let answer;
      try {
        answer = this.#provider();
      } catch (e) {
        throw `the credentials provider threw: ${describe(e)}`;
      }
      try {
        answer = await answer;
      } catch (e) {
        throw `the credentials provider failed: ${describe(e)}`;
      }
      const c = providedCredentials(answer);
      this.#engine.setCredentials(c.accessKeyId, c.accessKeySecret, c.securityToken ?? '', c.expirationMs, Date.now());
    })().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #run(action, flat, { signal, timeoutMs }, shape) {
    const call = new Call(action, flat);
    try {
      return await this.#attempts(call, signal, timeoutMs, shape);
    } finally {
      call.free();
    }
  }

  /** Runs a call to completion: credentials, attempts, back-offs, under one deadline. */
  async #attempts(call, signal, timeoutMs, shape) {
    if (signal?.aborted) throw failure('Aborted', 'the AbortSignal had fired before the call started.', 'not_sent');
    const engine = this.#engine;
    const started = performance.now();
    const ctl = new AbortController();
    const abort = () => ctl.abort();
    const timer = setTimeout(abort, timeoutMs);
    signal?.addEventListener('abort', abort);
    const cut = (sending) => call.error(engine, (signal?.aborted ? ABORTED : TIMEOUT) + (sending ? SENDING : 0), timeoutMs, '');
    try {
      for (;;) {
        if (engine.needsCredentials(Date.now())) {
          try {
            await untilAborted(this.#credentials(), ctl.signal);
          } catch (e) {
            throw typeof e === 'string' ? call.error(engine, CREDENTIALS, timeoutMs, e) : e;
          }
          if (ctl.signal.aborted) throw cut(false);
        }
        const wire = call.sign(engine, Date.now());
        let response;
        let body;
        let failed;
        try {
          response = await (this.#post
            ? fetch(this.#endpoint, { method: 'POST', headers: FORM_HEADERS, body: wire, signal: ctl.signal })
            : fetch(`${this.#endpoint}?${wire}`, { method: 'GET', signal: ctl.signal }));
          body = await response.text();
        } catch (e) {
          if (ctl.signal.aborted) throw cut(true);
          failed = describe(e);
        }
        let verdict;
        if (failed !== undefined) {
          verdict = call.answered(engine, 0, false, '', false, failed, '', NaN, Date.now(), Math.random());
        } else {
          let parsed = null;
          try {
            parsed = JSON.parse(body);
          } catch {
            // Not the platform's envelope.
          }
          const envelope = parsed !== null && typeof parsed === 'object';
          const field = (k) => (envelope ? text(parsed[k]) ?? '' : '');
          verdict = call.answered(engine, response.status, envelope, field('Code'), envelope && parsed.Success === false,
            field('Message') || field('ErrorMessage'), field('RequestId'),
            Date.parse(response.headers.get('date') ?? ''), Date.now(), Math.random());
          if (verdict === DONE) return shape(parsed, call.attempts, performance.now() - started);
        }
        if (verdict === FAIL) throw call.error(engine, FAILED, timeoutMs, '');
        await sleep(verdict, ctl.signal);
        if (ctl.signal.aborted) throw cut(false);
      }
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    }
  }
}
