/**
 * A minimal delivery-report receiver for the bounce and PEC scenarios: an HTTP server in
 * the test process, one per worker (`session.use`), that plays the application's
 * callback endpoint. Each scenario gets a base URL of its own (`/<sid>`), which goes into
 * its tenant's `client_base_url`; the proxy POSTs `{"delivery_report": [...]}` to
 * `<base>/mail-proxy/sync`. Every POST is recorded and answered 200 `{"ok": true}`.
 *
 * Named `-ee` because the lead builds the suite's general callback receiver
 * (support/callbacks.ts) in parallel; the two are to be merged.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SUITE_HOST_FOR_PROXY } from './file-server.js';
import { registerEvidence } from './ee-evidence.js';
import type { StackSession } from './stack/session.js';
import type { GenroWorld } from './world.js';

/** One item of a delivery report (SUT map §4.3): the message id plus the event's fields. */
export type ReportItem = { id: string } & Record<string, unknown>;

export interface ReceivedReport {
  at: number;
  path: string;
  authorization: string | undefined;
  items: ReportItem[];
  raw: string;
}

export class CallbackReceiverEE {
  private readonly received: ReceivedReport[] = [];
  private server: Server | undefined;
  private readonly listening: Promise<number>;

  constructor() {
    this.listening = new Promise((resolve, reject) => {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let items: ReportItem[] = [];
          try {
            const parsed = JSON.parse(raw) as { delivery_report?: ReportItem[] };
            items = Array.isArray(parsed.delivery_report) ? parsed.delivery_report : [];
          } catch {
            // not JSON: recorded with no items
          }
          this.received.push({ at: Date.now(), path: (req.url ?? '/').split('?')[0]!, authorization: req.headers.authorization, items, raw });
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{"ok":true}');
        });
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      this.server = server;
    });
  }

  static forSession(session: StackSession): CallbackReceiverEE {
    const receiver = new CallbackReceiverEE();
    session.teardown.push('stop the delivery-report receiver (ee)', () => receiver.close());
    return receiver;
  }

  /** The worker's receiver, with the scenario's reports registered as evidence and forgotten after it. */
  static forScenario(world: GenroWorld): CallbackReceiverEE {
    const receiver = world.session.use(CallbackReceiverEE.forSession);
    const sid = world.sid;
    registerEvidence(world, 'report-receiver', {
      title: "Delivery reports the application's callback received in this scenario",
      collect: () => receiver.reportsOf(sid).map((r) => `${new Date(r.at).toISOString()} POST ${r.path} ${r.authorization ?? '(no Authorization)'}\n${r.raw}`).join('\n') || '(none)',
      cleanup: () => receiver.forget(sid),
    });
    return receiver;
  }

  /** The scenario's callback base URL, for the tenant's client_base_url. */
  async baseUrlFor(sid: string): Promise<string> {
    return `http://${SUITE_HOST_FOR_PROXY}:${await this.listening}/${sid}`;
  }

  /** Reports POSTed under the scenario's base URL. */
  reportsOf(sid: string): ReceivedReport[] {
    return this.received.filter((r) => r.path.startsWith(`/${sid}/`));
  }

  /** Report items about one message, in the order they arrived. */
  itemsFor(sid: string, messageId: string): ReportItem[] {
    return this.reportsOf(sid).flatMap((r) => r.items.filter((item) => item.id === messageId));
  }

  forget(sid: string): void {
    for (let i = this.received.length - 1; i >= 0; i -= 1) if (this.received[i]!.path.startsWith(`/${sid}/`)) this.received.splice(i, 1);
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
