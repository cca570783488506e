// The client address of a request, decided by the server that `npm start` runs (scripts/start.mjs)
// and handed to the app as the only X-Forwarded-For entry: Next.js would otherwise pass a client's
// own X-Forwarded-For through, and the sign-in rate limit and the logs would believe it.

/**
 * How many reverse proxies in front of the server append to X-Forwarded-For (TRUST_PROXY_HOPS,
 * default 0: nothing in front, the socket's peer is the client).
 * @param {string | undefined} value
 * @returns {number}
 */
export function trustedProxyHops(value) {
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 10) throw new Error(`TRUST_PROXY_HOPS must be an integer from 0 to 10, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * The client's address: the socket's peer when no proxy is trusted; behind `hops` trusted
 * proxies, the entry `hops` places from the right of [...X-Forwarded-For, peer] (each proxy
 * appends the address it received the request from, so entries further left are the client's
 * own claims and are ignored).
 * @param {string | string[] | undefined} forwardedFor the X-Forwarded-For header as received
 * @param {string | undefined} peer the socket's remote address
 * @param {number} hops
 * @returns {string}
 */
export function clientAddress(forwardedFor, peer, hops) {
  const socket = (peer ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  if (hops === 0) return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '');
  const chain = [...header.split(',').map((s) => s.trim()).filter(Boolean), socket];
  return chain[Math.max(0, chain.length - 1 - hops)];
}

/**
 * Rewrites a Node request's forwarding headers in place: X-Forwarded-For becomes the one client
 * address; without trusted proxies, X-Forwarded-Proto / -Host and X-Real-IP from the client are
 * dropped too.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} hops
 */
export function setClientAddress(req, hops) {
  req.headers['x-forwarded-for'] = clientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, hops);
  delete req.headers['x-real-ip'];
  if (hops === 0) {
    delete req.headers['x-forwarded-proto'];
    delete req.headers['x-forwarded-host'];
  }
}
