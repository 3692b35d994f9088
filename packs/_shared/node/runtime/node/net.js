// node:net inside a component: address checks frameworks use (Express's req.ip through
// proxy-addr) work; sockets can't be opened (WASI forbids binding, and the host owns the
// connection), so creating one fails naming why.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(input) {
  return IPV4.test(String(input));
}

export function isIPv6(input) {
  const text = String(input);
  if (!text.includes(':')) return false;
  try {
    new URL(`http://[${text.replace(/%.*$/, '')}]/`);
    return true;
  } catch {
    return false;
  }
}

export function isIP(input) {
  return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}

function noSockets(what) {
  return function unsupported() {
    throw new Error(`net.${what} is not available in a Fabricks component: the host owns the connection (WASI components can't open sockets)`);
  };
}

export const connect = noSockets('connect()');
export const createConnection = noSockets('createConnection()');
export const createServer = noSockets('createServer() (use http.createServer)');
export class Socket {
  constructor() {
    noSockets('Socket')();
  }
}
export class Server {
  constructor() {
    noSockets('Server')();
  }
}

export default { isIP, isIPv4, isIPv6, connect, createConnection, createServer, Socket, Server };
