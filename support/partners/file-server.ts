/**
 * A small HTTP file server in the test process, one per worker (`session.use`), that the
 * proxy fetches attachments from:
 *
 *  - `publish()` serves bytes at a URL of their own (GET), optionally only to a bearer token,
 *    and optionally only after a moment (`delayMs`), as a slow file store answers, or
 *    after answering the first requests 503 (`unavailableFirst`: a server briefly down);
 *  - `attachmentEndpoint()` answers a tenant's attachment endpoint: POST
 *    `{"storage_path": "<document>"}` returns that document's bytes;
 *  - `unreachableUrl()` is a URL on a local port where nothing listens.
 *
 * It listens on the stack's partners address (Endpoints.partners: 127.0.0.1 locally, the
 * compose network's gateway in Docker mode) and hands out URLs with the host name the
 * proxy uses for it.
 *
 * Every request is recorded (method, path, Authorization, body, when it arrived and when
 * its answer was sent), so scenarios can say what the proxy asked for, and how many
 * requests were under way at once (`peakConcurrency`). Everything a scenario registers lives under `/<sid>/` and is
 * dropped by its teardown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { freePort } from '../base/net.js';
import type { StackSession } from '../stack/session.js';
import type { Endpoints } from '../stack/types.js';

export interface RecordedRequest {
  /** When the request arrived, epoch ms. */
  at: number;
  /** When the whole answer was handed to the network, epoch ms; undefined while under way. */
  answeredAt?: number | undefined;
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

interface Route {
  /** Bearer token the route requires, if any. */
  token?: string | undefined;
  /** How long the server takes before it answers, in ms. */
  delayMs?: number | undefined;
  handle: (request: RecordedRequest) => { status: number; body: Buffer | string; type?: string };
}

export class FileServer {
  private readonly routes = new Map<string, Route>();
  private readonly recorded: RecordedRequest[] = [];
  private server: Server | undefined;
  private readonly listening: Promise<number>;

  constructor(private readonly where: Endpoints['partners'] = { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }) {
    this.listening = new Promise((resolve, reject) => {
      const server = createServer((req, res) => void this.serve(req, res));
      server.once('error', reject);
      server.listen(0, where.listenHost, () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
  }

  static forSession(session: StackSession): FileServer {
    const server = new FileServer(session.endpoints.partners);
    session.teardown.push('stop the attachment file server', () => server.close());
    return server;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0]!;
    const request: RecordedRequest = {
      at,
      method: req.method ?? 'GET',
      path,
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.recorded.push(request);
    const route = this.routes.get(`${request.method} ${path}`);
    let answer: { status: number; body: Buffer | string; type?: string };
    if (!route) answer = { status: 404, body: 'not found' };
    else if (route.token !== undefined && request.authorization !== `Bearer ${route.token}`) answer = { status: 401, body: 'unauthorized' };
    else {
      try {
        answer = route.handle(request);
      } catch (error) {
        answer = { status: 400, body: String(error) };
      }
      if (route.delayMs) await delay(route.delayMs);
    }
    res.writeHead(answer.status, { 'Content-Type': answer.type ?? 'application/octet-stream' });
    res.end(answer.body, () => {
      request.answeredAt = Date.now();
    });
  }

  /** The base URL of the server as the proxy reaches it. */
  async baseUrl(): Promise<string> {
    return `http://${this.where.hostForProxy}:${await this.listening}`;
  }

  /**
   * Serves `bytes` with GET at a new URL under the scenario's prefix; with a token, only to
   * `Bearer <token>`. With `delayMs`, each answer comes that long after the request; with
   * `unavailableFirst`, the first that many requests (with the right token) are answered
   * 503 Service Unavailable, as a server that is briefly down.
   */
  async publish(sid: string, name: string, bytes: Buffer, token?: string, options: { delayMs?: number; unavailableFirst?: number } = {}): Promise<string> {
    const path = `/${sid}/files/${randomBytes(4).toString('hex')}/${encodeURIComponent(name)}`;
    let refusals = options.unavailableFirst ?? 0;
    this.routes.set(`GET ${path}`, {
      token,
      delayMs: options.delayMs,
      handle: () => {
        if (refusals > 0) {
          refusals -= 1;
          return { status: 503, body: 'service unavailable, try again', type: 'text/plain' };
        }
        return { status: 200, body: bytes };
      },
    });
    return `${await this.baseUrl()}${path}`;
  }

  /**
   * A tenant attachment endpoint under the scenario's prefix: POST with a JSON body
   * `{"storage_path": "<name>"}` answers the document of that name. Returns the tenant's
   * base URL and the endpoint path (client_base_url, client_attachment_path).
   */
  async attachmentEndpoint(sid: string, documents: Map<string, Buffer>, token?: string): Promise<{ baseUrl: string; path: string }> {
    const base = `/${sid}/tenant`;
    const path = '/attachments';
    this.routes.set(`POST ${base}${path}`, {
      token,
      handle: (request) => {
        const wanted = (JSON.parse(request.body) as { storage_path?: string }).storage_path ?? '';
        const document = documents.get(wanted);
        return document ? { status: 200, body: document } : { status: 404, body: `no document ${wanted}` };
      },
    });
    return { baseUrl: `${await this.baseUrl()}${base}`, path };
  }

  /** A URL on a port of the partners' address where nothing listens: fetching it is refused. */
  async unreachableUrl(name: string): Promise<string> {
    return `http://${this.where.hostForProxy}:${await freePort(this.where.listenHost)}/files/${encodeURIComponent(name)}`;
  }

  /** Requests whose path starts with `/<sid>/`. */
  requestsOf(sid: string): RecordedRequest[] {
    return this.recorded.filter((r) => r.path.startsWith(`/${sid}/`));
  }

  /** Forgets a scenario's routes and requests. */
  forget(sid: string): void {
    for (const key of [...this.routes.keys()]) if (key.split(' ')[1]!.startsWith(`/${sid}/`)) this.routes.delete(key);
    for (let i = this.recorded.length - 1; i >= 0; i -= 1) if (this.recorded[i]!.path.startsWith(`/${sid}/`)) this.recorded.splice(i, 1);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

/**
 * The most requests under way at once: each request counts from its arrival (`at`) to the
 * moment its answer was sent (`answeredAt`); one that ends at the very millisecond another
 * arrives does not overlap it. Throws if a request has not been answered yet.
 */
export function peakConcurrency(requests: readonly Pick<RecordedRequest, 'at' | 'answeredAt' | 'path'>[]): number {
  const moves: [time: number, change: number][] = [];
  for (const r of requests) {
    if (r.answeredAt === undefined) throw new Error(`the request for ${r.path} has not been answered yet`);
    moves.push([r.at, +1], [r.answeredAt, -1]);
  }
  // At the same millisecond, ends before starts.
  moves.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, change] of moves) {
    now += change;
    peak = Math.max(peak, now);
  }
  return peak;
}
