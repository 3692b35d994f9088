// The HTTP rules every Node bridge and client applies, written once (RFC 9110; the Fetch
// standard for null-body statuses). Pure JavaScript: the unit tests run it under Node.

/** Hop-by-hop fields (RFC 9110 section 7.6.1, and HTTP/2's HTTP2-Settings): the server's and
 *  the host's business. Dropped from responses, as Node's own server does not forward them. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade',
  'te', 'trailer', 'http2-settings']);

/** Fields of an outgoing request the host sets itself from the message (framing, authority). */
export const HOST_SET = new Set([...HOP_BY_HOP, 'host', 'content-length']);

/** Statuses a Fetch Response may not have a body for ("null body status"). */
export const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** True when a response never has a body: HEAD, 1xx, 204, 304 (RFC 9110 sections 6.4.1, 9.3.2). */
export function bodyless(status, method) {
  return method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * A short text/plain response a bridge writes itself (a 500 after an app's exception).
 * @param {number} status
 * @param {string} text ASCII
 * @param {string} method the request's, for bodyless()
 * @returns {{status: number, headers: string[][], body: string}} body empty where bodyless()
 */
export function plainResponse(status, text, method) {
  return { status, headers: [['content-type', 'text/plain; charset=utf-8'], ['content-length', String(text.length)]],
    body: bodyless(status, method) ? '' : text };
}
