/**
 * Network helpers shared by the stack providers, the partners and the capabilities:
 * a free port on 127.0.0.1, a TCP greeting, an HTTP health probe.
 */
import net from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago. */
/** A port where nothing listens now, on `host` (127.0.0.1 by default). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Opens a TCP connection and resolves with the first bytes the server sends (or '' after connect). */
export async function tcpGreeting(host: string, port: number, waitForData: boolean, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${waitForData ? 'greeting' : 'connection'} from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (value: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    socket.once('connect', () => {
      if (!waitForData) done('');
    });
    socket.once('data', (chunk) => done(chunk.toString('utf8')));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** True when `url` answers 2xx within a second. */
export async function httpOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}
