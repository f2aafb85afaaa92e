/**
 * A minimal receiver for the proxy's delivery reports (SUT map §4), for the persistence
 * scenarios: one HTTP server per scenario on a free 127.0.0.1 port, which records every
 * POST and answers with the status the scenario sets (200 by default).
 *
 * Written for the persistence scenarios while the suite's general callback receiver
 * (support/callbacks.ts) was being built in parallel; once that lands, these scenarios
 * can move to it and this file can go.
 *
 * Reach it as `world.use(ReportReceiver.forScenario)`.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GenroWorld } from './world.js';

/** One item of a delivery report: `{id, sent_ts}`, `{id, error_ts, error}`, `{id, deferred_ts, deferred_reason}`, ... */
export type ReportItem = { id: string } & Record<string, unknown>;

export interface ReceivedReport {
  /** When it arrived (ms since the epoch). */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed body, or the raw text if it was not JSON. */
  body: unknown;
  /** The status the receiver answered. */
  answered: number;
}

export class ReportReceiver {
  readonly received: ReceivedReport[] = [];
  private status = 200;
  private server: Server | undefined;
  private base: string | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ReportReceiver {
    return new ReportReceiver(world);
  }

  /** Starts the server on first use; returns its base URL (the tenant's client_base_url). */
  async url(): Promise<string> {
    if (this.base) return this.base;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep the text
        }
        const answered = this.status;
        this.received.push({ at: Date.now(), path: request.url ?? '', headers: request.headers, body, answered });
        response.writeHead(answered, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answered < 300 ? { ok: true } : { ok: false, error: 'refused by the scenario' }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.world.teardown.push('stop the delivery-report receiver', () => this.close());
    return this.base;
  }

  /** From now on, answer every report with this HTTP status. */
  answerWith(status: number): void {
    this.status = status;
  }

  /** The report items about one message id, with the request that carried each. */
  itemsFor(messageId: string): { item: ReportItem; request: ReceivedReport }[] {
    const found: { item: ReportItem; request: ReceivedReport }[] = [];
    for (const request of this.received) {
      const items = (request.body as { delivery_report?: unknown })?.delivery_report;
      if (!Array.isArray(items)) continue;
      for (const item of items as ReportItem[]) if (item?.id === messageId) found.push({ item, request });
    }
    return found;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
