// ThingcallError, the error every thingcall failure rejects (or throws) with, and the advice
// that ends its message: what the caller can do about each code.

const FAILED_MIDWAY = 'The platform failed while handling the call; the device may have acted.';

/** Advice by error code (compared case-insensitively). */
const ADVICE = new Map([
  ['InvalidArgument', 'Fix the argument named in the message; nothing was sent.'],
  ['Timeout', "The call's deadline passed. Raise timeoutMs, or check the device and network; if the call was sent, the device may have acted."],
  ['Aborted', 'The call was cancelled by its AbortSignal.'],
  ['NetworkError', "No HTTP answer: check the endpoint URL and the network. From a page, the endpoint must also allow the page's origin (CORS), which the platform's RPC endpoint does not: call it through a same-origin relay (an endpoint such as '/iot/'; docs/deploying.md)."],
  ['InvalidResponse', "The endpoint did not answer with the platform's JSON: check that the endpoint URL points at the IoT Platform API."],
  ['CredentialsError', 'The credentials provider failed or returned no accessKeyId/accessKeySecret.'],
  ['MissingParameter', 'A required parameter is missing.'],
  ['InvalidParameter', 'A parameter has a value the platform does not accept.'],
  ['InvalidAccessKeyId.NotFound', 'The AccessKeyId is unknown to this endpoint: check accessKeyId and the endpoint.'],
  ['InvalidTimeStamp.Format', 'The Timestamp is not YYYY-MM-DDThh:mm:ssZ.'],
  ['InvalidTimeStamp.Expired', "The request's time is more than 15 minutes off the server's: check this machine's clock (thingcall corrects once for the offset it learns)."],
  ['SignatureNonceUsed', 'The same signed request reached the platform before (a resend after a dropped connection): the first delivery may have run. Check the device before calling again.'],
  ['SignatureDoesNotMatch', 'The server computed another signature: check the AccessKeySecret, and that the request arrives exactly as signed (with V3, its signed host too).'],
  ['IncompleteSignature', 'The signature parameters are incomplete.'],
  ['InvalidSecurityToken.Expired', 'The STS SecurityToken has expired: get new temporary credentials.'],
  ['InvalidSecurityToken', 'The STS SecurityToken is not valid for this AccessKeyId.'],
  ['Throttling.User', 'Too many requests for this account: slow down (the platform allows 500/s for invoke and set, 10/s for batch actions).'],
  ['Throttling.Api', 'Too many requests for this API: slow down.'],
  ['Throttling', 'Too many requests: slow down.'],
  ['InternalError', FAILED_MIDWAY],
  ['ServiceUnavailable', 'The platform is unavailable; nothing ran. Try again later.'],
  ['iot.system.SystemException', FAILED_MIDWAY],
  ['iot.common.RamActionPermissionDeny', "The key's policy does not allow this action on this product; nothing ran. With temporary keys, the policy is the one the backend passed to AssumeRole (deploy/backend: THINGCALL_ACTIONS, THINGCALL_PRODUCTS)."],
  ['iot.common.InvalidFormattedParameter', 'Args or Items do not match the thing model: check identifiers, types and ranges.'],
  ['iot.prod.NotExistedProduct', 'No such product: check productKey.'],
  ['iot.device.NotExistedDevice', 'No such device: check productKey and deviceName.'],
  ['iot.device.InvalidIoTId', 'No such device: check iotId.'],
  ['iot.device.InvokeThingServiceFailed', 'The service call failed: check the identifier and the device.'],
  ['iot.device.SetDevicePropertyFailed', 'Setting the property failed: check the items and the device.'],
  ['iot.messagebroker.OFFLINE', 'The device is offline: nothing was delivered. Try again when it is online.'],
  ['iot.messagebroker.TIMEOUT', 'The device did not answer within the RRPC window (8 s): it may have acted. Check its state before calling again.'],
  ['iot.messagebroker.RateLimit', 'Too many messages to this device: slow down.'],
].map(([code, advice]) => [code.toLowerCase(), advice]));

/** The advice for `code`. */
function adviceFor(code) {
  return ADVICE.get(String(code).toLowerCase()) ?? "See the platform's error code reference.";
}

/**
 * The error every thingcall failure rejects (or throws) with.
 *
 * `code` is the platform's `Code` or the client's own (`InvalidArgument`, `Timeout`, `Aborted`,
 * `NetworkError`, `InvalidResponse`, `CredentialsError`); `outcome` says whether anything ran:
 * `"not_sent"`, `"rejected"` (the platform refused: nothing ran) or `"unknown"` (the device may
 * have acted). The message is `code: what happened. advice`; it never contains a secret, a
 * signature or a security token (`what happened` comes scrubbed).
 */
export class ThingcallError extends Error {
  constructor(code, message, requestId, httpStatus, outcome, retryable, attempts, diagnosis) {
    super(`${code}: ${message} ${adviceFor(code)}`);
    this.name = 'ThingcallError';
    this.code = code;
    this.requestId = requestId;
    this.httpStatus = httpStatus;
    this.outcome = outcome;
    this.retryable = retryable;
    this.attempts = attempts;
    if (diagnosis !== undefined) this.diagnosis = diagnosis;
  }
}
