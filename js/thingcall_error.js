/**
 * The error every thingcall failure rejects (or throws) with.
 *
 * `code` is the platform's `Code` or the client's own (`InvalidArgument`, `Timeout`, `Aborted`,
 * `NetworkError`, `InvalidResponse`, `CredentialsError`); `outcome` says whether anything ran:
 * `"not_sent"`, `"rejected"` (the platform refused: nothing ran) or `"unknown"` (the device may
 * have acted). The message never contains a secret, a signature or a security token.
 */
export class ThingcallError extends Error {
  constructor(code, message, requestId, httpStatus, outcome, retryable, attempts) {
    super(message);
    this.name = 'ThingcallError';
    this.code = code;
    this.requestId = requestId;
    this.httpStatus = httpStatus;
    this.outcome = outcome;
    this.retryable = retryable;
    this.attempts = attempts;
  }
}

