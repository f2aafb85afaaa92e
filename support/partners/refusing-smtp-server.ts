/**
 * An SMTP server in the test process that accepts the envelope and then refuses the
 * message data with a chosen code (nodemailer's smtp-server library).
 *
 * Why not Mailpit: its chaos triggers only cover AUTH, MAIL FROM and RCPT TO, and its
 * size limit refuses at MAIL FROM because clients (aiosmtplib too) declare SIZE. A
 * refusal after DATA, the classic content or policy rejection, needs a server that
 * answers the end of DATA with 5xx. This one does exactly that and nothing else.
 */
import { SMTPServer } from 'smtp-server';
import { consistently } from '../base/eventually.js';
import type { HostPort } from '../stack/types.js';
import { closeSmtp, listenSmtp } from './smtp-listen.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface DataRefusal {
  code: number;
  text: string;
}

export class RefusingSmtpServer {
  /** Envelopes of the messages that reached DATA: what the proxy tried to send. */
  readonly attempts: { from: string; to: string[]; at: number }[] = [];
  private server: SMTPServer | undefined;

  static forScenario(world: GenroWorld): RefusingSmtpServer {
    const server = new RefusingSmtpServer();
    world.teardown.push('stop the refusing SMTP server', () => server.stop());
    world.evidence.add('refusing-smtp-server', {
      title: 'SMTP server that refuses message data: attempts it saw',
      collect: () => JSON.stringify(server.attempts, null, 1),
    });
    return server;
  }

  /** Listens on `where.listenHost` (Endpoints.partners); returns the address as the proxy reaches it. */
  async start(refusal: DataRefusal, where = { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }): Promise<HostPort> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // The proxy keeps pooled connections open; don't wait 30 s for them on close.
      closeTimeout: 200,
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          this.attempts.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            at: Date.now(),
          });
          const error = new Error(refusal.text) as Error & { responseCode: number };
          error.responseCode = refusal.code;
          callback(error);
        });
      },
    });
    return listenSmtp(this.server, where);
  }

  /** The server sees exactly `count` attempts for `recipient`, and no more during `periodMs`. */
  async expectAttempts(recipient: string, count: number, periodMs: number): Promise<void> {
    await consistently(
      { description: `${count} delivery attempt(s) for ${recipient} at the refusing server`, timeoutMs: periodMs, intervalMs: 100 },
      () => this.attempts.filter((a) => a.to.includes(recipient)).length,
      (n) => n === count,
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeSmtp(server);
  }
}
