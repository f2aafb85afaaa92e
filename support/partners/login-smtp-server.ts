/**
 * An SMTP server in the test process that takes mail only from a client that logs in
 * with the one user and password it was given (nodemailer's smtp-server library, plain
 * AUTH on a connection without TLS). It records every login and every message it took,
 * so a scenario can see that the proxy still logs in with a password it no longer shows.
 *
 * Why not Mailpit: its SMTP authentication takes a password file at start-up; the
 * scenario's password is made at random when the scenario runs.
 */
import { SMTPServer } from 'smtp-server';
import { eventually } from '../base/eventually.js';
import type { HostPort } from '../stack/types.js';
import { closeSmtp, listenSmtp } from './smtp-listen.js';
import type { GenroWorld } from '../cucumber/world.js';

export class LoginSmtpServer {
  /**
   * Every login attempt: the user, whether the password was the right one, and the SMTP
   * session (connection) it came in (a client may try several mechanisms in one session).
   */
  readonly logins: { user: string; accepted: boolean; session: string }[] = [];
  /** Envelopes of the messages taken, with the user the connection logged in as. */
  readonly received: { user: string | undefined; from: string; to: string[] }[] = [];
  private server: SMTPServer | undefined;

  static forScenario(world: GenroWorld): LoginSmtpServer {
    const server = new LoginSmtpServer();
    world.teardown.push('stop the SMTP server that wants a login', () => server.stop());
    world.evidence.add('login-smtp-server', {
      title: 'SMTP server that wants a login: logins and messages',
      collect: () => JSON.stringify({ logins: server.logins, received: server.received }, null, 1),
    });
    return server;
  }

  /** Listens on `where.listenHost` for `login`; returns the address as the proxy reaches it. */
  async start(login: { user: string; password: string }, where = { listenHost: '127.0.0.1', hostForProxy: '127.0.0.1' }): Promise<HostPort> {
    this.server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 200,
      onAuth: (auth, session, callback) => {
        const accepted = auth.username === login.user && auth.password === login.password;
        this.logins.push({ user: auth.username ?? '', accepted, session: session.id });
        if (accepted) callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          this.received.push({
            user: typeof session.user === 'string' ? session.user : undefined,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        });
      },
    });
    return listenSmtp(this.server, where);
  }

  /** Waits until the server took a message for `recipient` from a client logged in as `user`. */
  async waitForMessage(recipient: string, user: string, timeoutMs: number): Promise<void> {
    await eventually(
      { description: `a message for ${recipient}, sent after logging in as ${user}; the logins and messages the server saw`, timeoutMs, intervalMs: 100 },
      () => ({ logins: this.logins, received: this.received }),
      ({ received }) => received.some((m) => m.user === user && m.to.includes(recipient)),
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeSmtp(server);
  }
}
