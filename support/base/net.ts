/**
 * Network helpers shared by the stack providers, the partners and the capabilities:
 * a free port on 127.0.0.1, a TCP greeting, an HTTP health probe.
 */
import net from 'node:net';

/**
 * The ports freePort() hands out lie below the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768-60999 on Linux), where no outgoing
 * connection takes its source port: a port asked of the kernel with listen(0) comes from
 * that range, and between the check and the service's own bind an outgoing connection
 * could take it (a soak run saw the proxy fail with "address already in use").
 * Each Cucumber worker (CUCUMBER_WORKER_ID), or else each process, draws from a slice of
 * its own and moves on after every port, so that two workers starting services at the
 * same moment are not handed the same port.
 */
export const PORT_RANGE = { low: 20_000, high: 32_767 } as const;
const SLICES = 16;

export function portSlice(workerId: string | undefined = process.env.CUCUMBER_WORKER_ID, pid = process.pid): { low: number; size: number } {
  const size = Math.floor((PORT_RANGE.high - PORT_RANGE.low + 1) / SLICES);
  const index = workerId !== undefined && /^\d+$/.test(workerId) ? Number(workerId) % SLICES : pid % SLICES;
  return { low: PORT_RANGE.low + index * size, size };
}

let nextInSlice = -1;

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port where nothing listens now, on `host` (127.0.0.1 by default), from this process's slice. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { low, size } = portSlice();
  if (nextInSlice < 0) nextInSlice = Math.floor(Math.random() * size);
  for (let tried = 0; tried < size; tried++) {
    const port = low + (nextInSlice++ % size);
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port on ${host} in ${low}-${low + size - 1}`);
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
