//! TypeScript declarations emitted into `thingcall.d.ts`: the option and result objects, and
//! `IotClient` and `ThingcallError`, which are JavaScript classes (`js/client.js`,
//! `js/thingcall_error.js`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** `"GET"` (parameters in the query) or `"POST"` (an `application/x-www-form-urlencoded` body). */
export type HttpMethodName = "GET" | "POST";
/** A parameter value: numbers and booleans are stringified as JavaScript does; `null`/`undefined` are left out. */
export type ParamValue = string | number | boolean | null | undefined;
/** RPC parameters by name. */
export type Params = Record<string, ParamValue>;

/** Input of `signRpc`. */
export interface SignRpcInput {
  method: HttpMethodName;
  /** Every parameter to sign, common ones included. */
  params: Params;
  accessKeySecret: string;
}

/** The three stages of the signature. */
export interface SignRpcResult {
  /** Sorted, RFC 3986-encoded `k=v` pairs joined with `&`. */
  canonicalQuery: string;
  /** `METHOD&%2F&` + the encoded canonical query. */
  stringToSign: string;
  /** base64(HMAC-SHA1(secret + "&", stringToSign)), not URL-encoded. */
  signature: string;
}

/** Temporary (STS) or long-lived credentials returned by a provider. */
export interface ProvidedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** When they expire: a Date, an ISO 8601 string or Unix ms. Refreshed up to 5 minutes before. */
  expiration?: Date | string | number;
}

/** Retry settings: full-jitter exponential back-off. */
export interface RetryOptions {
  /** Attempts in all, the first included (1..10). Default 3. */
  maxAttempts?: number;
  /** Back-off ceiling of the first retry, ms. Default 100. */
  baseDelayMs?: number;
  /** Largest back-off, ms. Default 2000. */
  maxDelayMs?: number;
  /** Also retry invoke/set calls whose outcome is unknown (the device may act twice). Default false. */
  retryUnknown?: boolean;
}

/** Options of `new IotClient(...)`. */
export interface IotClientOptions {
  /** The whole API URL, e.g. `https://iot.cn-shanghai.aliyuncs.com/`. */
  endpoint: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** Called for credentials on first use and shortly before `expiration`; one call at a time. */
  credentials?: () => ProvidedCredentials | Promise<ProvidedCredentials>;
  regionId?: string;
  /** Sent as `IotInstanceId` with every device call (a call's own wins). */
  iotInstanceId?: string;
  /** Default `"POST"`. */
  method?: HttpMethodName;
  /** Deadline of a whole call (credentials, attempts, back-off), ms. Default 10000. */
  timeoutMs?: number;
  retry?: RetryOptions;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
}

/** Options of `presign`, `toCurl` and `explain`. */
export interface PresignOptions {
  /** `SignatureNonce`; random when absent. */
  nonce?: string;
  /** `Timestamp`: a Date or `YYYY-MM-DDThh:mm:ssZ`; now when absent. */
  timestamp?: Date | string;
}

/** A device: by `iotId`, or by `productKey` + `deviceName` (`iotId` wins when both are given). */
export type DeviceRequest =
  | { iotId: string; productKey?: string; deviceName?: string; iotInstanceId?: string }
  | { iotId?: string; productKey: string; deviceName: string; iotInstanceId?: string };

export type InvokeThingServiceRequest = DeviceRequest & {
  /** The service's identifier (`module:service` for a non-default module). */
  identifier: string;
  /** An object (sent with JSON.stringify) or a JSON object string. Floats that must keep a decimal point (`10.0`) need the string form. */
  args?: Record<string, unknown> | string;
};

export type SetDevicePropertyRequest = DeviceRequest & { items: Record<string, unknown> | string };

export interface InvokeThingsServiceRequest {
  productKey: string;
  /** 1 to 100 device names. */
  deviceNames: string[];
  identifier: string;
  args?: Record<string, unknown> | string;
  iotInstanceId?: string;
}

export interface SetDevicesPropertyRequest {
  productKey: string;
  deviceNames: string[];
  items: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** Present on every result. */
export interface CallMeta {
  requestId: string;
  /** Attempts made, the successful one included. */
  attempts: number;
  elapsedMs: number;
}

/** A synchronous service's answer, as the device sent it. */
export interface DeviceResult<D = unknown> {
  code: number;
  data: D;
  id: string;
  message: string;
  version: string;
}

export interface InvokeThingServiceResult<D = unknown> extends CallMeta {
  messageId: string;
  mode: "sync" | "async";
  /** The parsed `Data.Result` (synchronous services only). */
  result?: DeviceResult<D>;
  /** `Data.Result` as the platform sent it. */
  rawResult?: string;
  /** The device's own code from the result. */
  code?: number;
}

export interface SetDevicePropertyResult extends CallMeta {
  messageId: string;
  data: { MessageId: string };
  body: Record<string, unknown>;
}

export interface PropertyStatus {
  identifier: string;
  /** A number for numeric types (int, bool, enum, float, double), else the string. */
  value: number | string;
  rawValue: string;
  /** Unix ms of the last report. */
  time: number;
  dataType: string;
  name: string;
  unit: string;
}

export interface QueryDevicePropertyStatusResult extends CallMeta {
  properties: PropertyStatus[];
}

/** The result of `call` and of the other actions: the platform's `Data` and whole body. */
export interface CallResult extends CallMeta {
  messageId?: string;
  data: any;
  body: Record<string, unknown>;
}

/** How a request is signed, with the SecurityToken redacted, for display. */
export interface SigningExplanation {
  method: HttpMethodName;
  /** Sorted `[name, value]` pairs. */
  params: [string, string][];
  canonicalQuery: string;
  stringToSign: string;
  signature: string;
  url: string;
  /** The form body (POST only). */
  body?: string;
  /** The equivalent `curl` command line (redacted: not runnable with temporary credentials). */
  curl: string;
}

/** `"not_sent"`: refused before sending; `"rejected"`: the platform refused (nothing ran); `"unknown"`: the device may have acted. */
export type Outcome = "not_sent" | "rejected" | "unknown";

/** The error every failure rejects (or throws) with. */
export declare class ThingcallError extends Error {
  readonly name: "ThingcallError";
  /** The platform's `Code`, or `InvalidArgument`, `Timeout`, `Aborted`, `NetworkError`, `InvalidResponse`, `CredentialsError`. */
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly outcome: Outcome;
  /** Whether trying again later is safe and may succeed. */
  readonly retryable: boolean;
  readonly attempts: number;
}

/**
 * A client of the IoT Platform RPC API (version 2018-01-20) that signs every request in
 * WebAssembly and sends it with `fetch`.
 *
 * Calls reject with a `ThingcallError` (`code`, `outcome`, `retryable`, `attempts`, ...).
 * Retries are safe by default: an invoke or set whose outcome is unknown is never sent twice
 * unless `retry.retryUnknown` is set.
 */
export declare class IotClient {
  /**
   * Creates a client. `endpoint` is the whole API URL (e.g. `https://iot.cn-shanghai.aliyuncs.com/`).
   * Credentials: `accessKeyId` + `accessKeySecret` (+ `securityToken`), or
   * `credentials: async () => ({ accessKeyId, accessKeySecret, securityToken, expiration })`,
   * called on first use and again shortly before `expiration` (one call at a time).
   * Throws a `ThingcallError` (`InvalidArgument`) for bad options.
   */
  constructor(options: IotClientOptions);
  /**
   * Calls a service of a device's thing model (`InvokeThingService`). `args` is an object
   * (serialized with `JSON.stringify`) or a JSON object string; `{}` when absent. A synchronous
   * service resolves with the device's `result` (parsed `Data.Result`) and `mode: "sync"`; an
   * asynchronous one with only a `messageId` and `mode: "async"`.
   */
  invokeThingService(request: InvokeThingServiceRequest, options?: CallOptions): Promise<InvokeThingServiceResult>;
  /** Sets properties of a device (`SetDeviceProperty`, asynchronous): `items` is an object or a JSON object string. Resolves with the `messageId`. */
  setDeviceProperty(request: SetDevicePropertyRequest, options?: CallOptions): Promise<SetDevicePropertyResult>;
  /** Reads a device's properties (`QueryDevicePropertyStatus`), as a flat list of `{ identifier, value, rawValue, time, dataType, name, unit }` in `properties`. */
  queryDevicePropertyStatus(request: DeviceRequest, options?: CallOptions): Promise<QueryDevicePropertyStatusResult>;
  /** Reads a device's details (`QueryDeviceDetail`): `data` is the platform's `Data` (`IotId`, `ProductKey`, `DeviceName`, `Status`, ...). */
  queryDeviceDetail(request: DeviceRequest, options?: CallOptions): Promise<CallResult>;
  /** Calls a service on up to 100 devices of one product (`InvokeThingsService`, asynchronous). */
  invokeThingsService(request: InvokeThingsServiceRequest, options?: CallOptions): Promise<CallResult>;
  /** Sets properties on up to 100 devices of one product (`SetDevicesProperty`, asynchronous). */
  setDevicesProperty(request: SetDevicesPropertyRequest, options?: CallOptions): Promise<CallResult>;
  /**
   * Calls any RPC action with its own parameters (strings, numbers or booleans); the common
   * parameters and the signature are added. Resolves with `{ requestId, data, body, ... }`.
   * Read-only actions (`Query*`, `Get*`, `List*`, `Describe*`) are retried when their outcome
   * is unknown; others only with `retry.retryUnknown`.
   */
  call(action: string, params: Params, options?: CallOptions): Promise<CallResult>;
  /**
   * Returns a signed GET URL for `action` with `params`. Deterministic when both `nonce` and
   * `timestamp` (a `Date` or the wire string `YYYY-MM-DDThh:mm:ssZ`) are given. Uses the
   * static credentials, or the provider's current ones (after a first call or
   * `refreshCredentials()`). The URL carries the SecurityToken: treat it as a secret.
   */
  presign(action: string, params: Params, options?: PresignOptions): string;
  /** Returns a ready `curl` command line for `action` with `params`, with the client's method (POST with a form body by default). Same options as `presign`. */
  toCurl(action: string, params: Params, options?: PresignOptions): string;
  /**
   * Shows how a request is signed, for display: the sorted parameters, canonical query,
   * string-to-sign, signature and signed URL, with the SecurityToken (and the secret, were
   * it anywhere) replaced by `** redacted **`. Same options as `presign`.
   */
  explain(action: string, params: Params, options?: PresignOptions): SigningExplanation;
  /** Fetches credentials from the provider now (a no-op for static keys), e.g. before `presign`. Rejects with `CredentialsError` when the provider fails. */
  refreshCredentials(): Promise<void>;
  /** The client's estimate of server time minus local time, in ms (learned from an `InvalidTimeStamp.Expired` answer; 0 until then). */
  readonly clockOffsetMs: number;
  /** The normalized endpoint URL. */
  readonly endpoint: string;
  /** `"GET"` or `"POST"`. */
  readonly method: HttpMethodName;
}
"#;
