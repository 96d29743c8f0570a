// `signRpc`'s result, made on this side: its three stages come as one string (one decode and
// one call out of the wasm, not three of each) with the two places where it is cut.

/** `{ canonicalQuery, stringToSign, signature }` of `text`, cut at `queryEnd` and `signatureAt`. */
export function signedStages(text, queryEnd, signatureAt) {
  return {
    canonicalQuery: text.slice(0, queryEnd),
    stringToSign: text.slice(queryEnd, signatureAt),
    signature: text.slice(signatureAt),
  };
}
