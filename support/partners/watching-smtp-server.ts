/**
 * An SMTP server in the test process that watches its connections, as an operator of a
 * mail server sees them (nodemailer's smtp-server library, plain AUTH without TLS):
 *
 *  - it takes mail only after a login, from any of the users it was given (one per SMTP
 *    account of the scenario), so every connection says which account opened it;
 *  - it records every connection: when it opened and closed, each login on it, and each
 *    mail it carried (its recipients, when the sender was announced and when the server
 *    accepted the data);
 *  - it takes a moment over each mail before accepting it (`dataDelayMs`), as a server
 *    that scans its mail does, so that mails sent at the same time overlap visibly.
 *
 * Why not Mailpit: it tells neither how many connections brought the mail nor who logged
 * in on each, and its SMTP authentication takes a password file at start-up.
 */
import { SMTPServer } from 'smtp-server';
import { redactValue } from '../base/redact.js';
import type { HostPort } from '../stack/types.js';
import { closeSmtp, listenSmtp } from './smtp-listen.js';
import type { GenroWorld } from '../cucumber/world.js';

/** One mail a connection carried. */
export interface WatchedMail {
  /** The envelope recipients. */
  to: string[];
  /** When the client announced the sender (MAIL FROM), epoch ms. */
  startedAt: number;
  /** When the server accepted the data, epoch ms. */
  acceptedAt: number;
}

/** One connection, as the server saw it. */
export interface WatchedConnection {
  /** 1 for the first connection the server took, 2 for the next, … */
  number: number;
  openedAt: number;
  closedAt: number | undefined;
  /** Every login attempt on the connection, in order. */
  logins: { user: string; accepted: boolean }[];
  mails: WatchedMail[];
}

export class WatchingSmtpServer {
  readonly connections: WatchedConnection[] = [];
  private readonly bySession = new Map<string, WatchedConnection>();
  /** MAIL FROM time of the transaction under way, per session. */
  private readonly startedAt = new Map<string, number>();
  private server: SMTPServer | undefined;

  constructor(private readonly dataDelayMs: number) {}

  static forScenario(this: void, world: GenroWorld): WatchingSmtpServer {
    const server = new WatchingSmtpServer(WatchingSmtpServer.DATA_DELAY_MS);
    world.teardown.push('stop the SMTP server that watches its connections', () => server.stop());
    world.evidence.add('watching-smtp-server', {
      title: () => `SMTP server that watches its connections (${server.connections.length} connections)`,
      collect: () => JSON.stringify(redactValue(server.connections), null, 1),
    });
    return server;
  }

  /** How long the server takes over each mail before accepting it. */
  static readonly DATA_DELAY_MS = 300;

  /**
   * Listens on `where.listenHost` (Endpoints.partners) and takes logins of exactly these
   * users and passwords; returns the address as the proxy reaches it.
   */
  async start(logins: Map<string, string>, where = { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }): Promise<HostPort> {
    if (this.server) throw new Error('the watching SMTP server is already started');
    const connection = (id: string): WatchedConnection => {
      const found = this.bySession.get(id);
      if (!found) throw new Error(`the watching SMTP server has no record of session ${id}`);
      return found;
    };
    this.server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      disabledCommands: ['STARTTLS'],
      logger: false,
      // The proxy keeps pooled connections open; don't wait 30 s for them on close.
      closeTimeout: 200,
      onConnect: (session, callback) => {
        const watched: WatchedConnection = { number: this.connections.length + 1, openedAt: Date.now(), closedAt: undefined, logins: [], mails: [] };
        this.connections.push(watched);
        this.bySession.set(session.id, watched);
        callback();
      },
      onClose: (session) => {
        const watched = this.bySession.get(session.id);
        if (watched) watched.closedAt = Date.now();
      },
      onAuth: (auth, session, callback) => {
        const user = auth.username ?? '';
        const accepted = logins.has(user) && logins.get(user) === auth.password;
        connection(session.id).logins.push({ user, accepted });
        if (accepted) callback(null, { user });
        else callback(new Error('Invalid username or password'));
      },
      onMailFrom: (_address, session, callback) => {
        this.startedAt.set(session.id, Date.now());
        callback();
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          const accept = () => {
            connection(session.id).mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              startedAt: this.startedAt.get(session.id) ?? Date.now(),
              acceptedAt: Date.now(),
            });
            callback();
          };
          if (this.dataDelayMs > 0) setTimeout(accept, this.dataDelayMs);
          else accept();
        });
      },
    });
    return listenSmtp(this.server, where);
  }

  /** Every mail the server took for `recipient`, with the connection that carried it. */
  mailsFor(recipient: string): { connection: WatchedConnection; mail: WatchedMail }[] {
    return this.connections.flatMap((connection) => connection.mails.filter((mail) => mail.to.includes(recipient)).map((mail) => ({ connection, mail })));
  }

  /**
   * The largest number of mails the server was taking at the same moment among those for
   * `recipients`: each counts from its MAIL FROM until the server accepted its data.
   */
  mostAtOnce(recipients: string[]): number {
    const spans = recipients.flatMap((r) => this.mailsFor(r).map(({ mail }) => mail));
    const edges = spans.flatMap((m) => [
      { at: m.startedAt, step: 1 },
      { at: m.acceptedAt, step: -1 },
    ]);
    // At the same instant an end comes before a start: touching spans do not overlap.
    edges.sort((a, b) => a.at - b.at || a.step - b.step);
    let now = 0;
    let most = 0;
    for (const edge of edges) {
      now += edge.step;
      most = Math.max(most, now);
    }
    return most;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeSmtp(server);
  }
}
