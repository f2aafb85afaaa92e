/**
 * The application's side of delivery reports: an HTTP server in the test process, on
 * the partners' address of the stack (Endpoints.partners), one per scenario. It records every request (method, path, headers, JSON
 * body, time) and answers as the scenario scripts it: 200 with a JSON body, 500, a
 * non-JSON 200, a slow answer, or `next_sync_after` (do-not-disturb).
 *
 * The proxy POSTs `{"delivery_report":[...]}` to client_base_url + sync path (docs/sut-0.7.0.md, "HTTP routes the suite calls").
 * It also sends empty "heartbeat" reports, so steps look for the items they expect.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, consistently } from '../base/eventually.js';
import { redactValue } from '../base/redact.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface CallbackRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  receivedAt: number;
  /** What the receiver answered. */
  answeredStatus: number;
}

export interface ScriptedReply {
  status: number;
  /** An object is sent as JSON; a string as text/plain. */
  body?: unknown;
  /** When given, the body is made from the request it answers (instead of `body`). */
  bodyFor?: (request: CallbackRequest) => unknown;
  delayMs?: number;
}

/** One item of a delivery report, as the proxy sends it. */
export type ReportItem = Record<string, unknown> & { id: string };

const OK: ScriptedReply = { status: 200, body: { ok: true } };

export class CallbackReceiver {
  readonly requests: CallbackRequest[] = [];
  private server: Server | undefined;
  private baseUrl: string | undefined;
  /** Replies for the next reports that have items, in order; then `standing`. */
  private readonly queue: { reply: ScriptedReply; then: ScriptedReply[] }[] = [];
  /** Replies for the next requests of any kind (heartbeats included), armed once a scripted report reply was used. */
  private readonly following: ScriptedReply[] = [];
  private standing: ScriptedReply = OK;

  static forScenario(world: GenroWorld): CallbackReceiver {
    const receiver = new CallbackReceiver();
    world.teardown.push('stop the callback receiver', () => receiver.stop());
    world.evidence.add('callback-receiver', {
      title: () => `Callback requests received (${receiver.requests.length})`,
      collect: () =>
        receiver.requests.map((r) => JSON.stringify({ ...r, headers: redactValue(r.headers), body: redactValue(r.body) })).join('\n') || '(none)',
    });
    return receiver;
  }

  /**
   * Starts listening (once) and returns the base URL to give the tenant. `listenHost` and
   * `hostForProxy` come from the stack (endpoints.partners): 127.0.0.1 locally,
   * the compose network's gateway in Docker mode.
   */
  async start(where: { listenHost: string; hostForProxy: string } = { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }): Promise<string> {
    if (this.baseUrl) return this.baseUrl;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // keep the text
        }
        const request: CallbackRequest = {
          index: this.requests.length,
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          receivedAt: Date.now(),
          answeredStatus: 0,
        };
        // Scripted one-off answers are for reports with items, not for empty heartbeats;
        // the answers scripted to follow one of them are for whatever calls come next.
        const scripted = this.following.length === 0 && itemsOf(request).length > 0 ? this.queue.shift() : undefined;
        const reply = this.following.shift() ?? scripted?.reply ?? this.standing;
        if (scripted) this.following.push(...scripted.then);
        request.answeredStatus = reply.status;
        this.requests.push(request);
        const answer = reply.bodyFor ? reply.bodyFor(request) : reply.body;
        const send = () => {
          const json = typeof answer !== 'string';
          res.writeHead(reply.status, { 'content-type': json ? 'application/json' : 'text/plain' });
          res.end(json ? JSON.stringify(answer ?? {}) : (answer));
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, where.listenHost, resolve));
    this.baseUrl = `http://${where.hostForProxy}:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** From now on, answer every request like this. */
  answerAlways(reply: ScriptedReply): void {
    this.standing = reply;
  }

  /**
   * Answer the next report that has items like this, then the calls that come after it
   * (whatever they carry, heartbeats included) with `then`, in order; then go back to the
   * standing answer.
   */
  answerNextReport(reply: ScriptedReply, then: ScriptedReply[] = []): void {
    this.queue.push({ reply, then });
  }

  /** Requests whose report contains an item for `id`. */
  requestsWithItemFor(id: string): CallbackRequest[] {
    return this.requests.filter((r) => itemsOf(r).some((item) => item.id === id));
  }

  /** Every report item for `id`, in the order received. */
  itemsFor(id: string): { request: CallbackRequest; item: ReportItem }[] {
    return this.requests.flatMap((request) => itemsOf(request).filter((i) => i.id === id).map((item) => ({ request, item })));
  }

  /** Waits for the `count`-th request that carries an item for `id` matching `accept`. */
  async waitForItem(
    id: string,
    description: string,
    timeoutMs: number,
    accept: (item: ReportItem) => boolean = () => true,
    count = 1,
  ): Promise<{ request: CallbackRequest; item: ReportItem }> {
    const found = await eventually(
      { description: `${description} (report item for ${id})`, timeoutMs, intervalMs: 50, context: () => this.describeReceived() },
      () => this.itemsFor(id).filter(({ item }) => accept(item)),
      (items) => items.length >= count,
    );
    return found[count - 1]!;
  }

  /** Every report item received so far, for any message, whatever its outcome: what a failed wait shows. */
  describeReceived(): string {
    const items = this.requests.flatMap((r) => itemsOf(r).map((item) => `${r.method} ${r.path} ${JSON.stringify(redactValue(item))}`));
    return `report items received in this scenario (${items.length}, in ${this.requests.length} requests): ${items.length ? `\n    ${items.join('\n    ')}` : 'none'}`;
  }

  /** Fails if a report item for `id` arrives during the period. */
  async expectNoItemFor(id: string, periodMs: number, already = this.itemsFor(id).length): Promise<void> {
    await consistently(
      { description: `${already === 0 ? 'no' : `no more than ${already}`} report item(s) for ${id}`, timeoutMs: periodMs, intervalMs: 50 },
      () => this.itemsFor(id).map(({ request, item }) => ({ path: request.path, item })),
      (items) => items.length === already,
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

export function itemsOf(request: CallbackRequest): ReportItem[] {
  const report = (request.body as { delivery_report?: unknown } | undefined)?.delivery_report;
  return Array.isArray(report) ? (report as ReportItem[]) : [];
}
