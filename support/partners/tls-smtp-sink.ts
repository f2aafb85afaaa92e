/**
 * A mail server of the suite that speaks TLS, in the test process (nodemailer's
 * smtp-server library, with a certificate of the suite's test CA, support/partners/test-ca.ts),
 * in one of two ways:
 *
 *  - `implicit` (SMTPS, port 465): TLS from the first byte. The listening socket is TLS,
 *    so a client that speaks plain SMTP gets no greeting, and nothing it sends is read.
 *  - `starttls` (submission, port 587): the session opens in plain text and offers
 *    STARTTLS. A login or a sender announced before the upgrade is refused with 530
 *    ("Must issue a STARTTLS command first"), as submission servers do. The server
 *    offers the login before the upgrade too, so that a client that would log in without
 *    upgrading is seen doing it (and refused), not merely turned away.
 *
 * It takes mail only after a login as its one user with its one password, and records,
 * per SMTP session and in order, when TLS began and how (from the first byte, or by
 * STARTTLS, with the TLS version), every login (user, right password or not, encrypted
 * or not), every sender announced (encrypted or not) and every mail taken (envelope,
 * subject). Passwords are never recorded.
 *
 * Why not Mailpit: it enforces TLS, but it records neither whether a mail came over TLS
 * (its Received line says "with SMTP" either way, internal/smtpd/smtpd.go:961-963 of
 * v1.30.7) nor a login it refused.
 *
 * It listens on the port the feature names (465, 587): 0.7.0 chooses implicit TLS by the
 * port number (src/core/mail_proxy/smtp/pool.py:149). Ports below 1024 need root (or
 * CAP_NET_BIND_SERVICE). Where the proxy reaches the test process on its loopback
 * (local stack), each sink takes a loopback address of its own (127.x.y.z, another one if
 * that one is taken), so that parallel workers and concurrent runs never share a port;
 * otherwise (Docker mode) it listens on the partners' address, the gateway of the run's
 * own network (Endpoints.partners).
 */
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { HostPort } from '../stack/types.js';
import { closeSmtp } from './smtp-listen.js';
import type { ServerCertificate } from './test-ca.js';

export type TlsMode = 'implicit' | 'starttls';

/** The port each mode listens on: the ports the docs name (network_requirements.rst). */
export const TLS_PORTS: Record<TlsMode, number> = { implicit: 465, starttls: 587 };

/** What happened in an SMTP session, in order. `encrypted`: whether TLS was up at that moment. */
export type SessionEvent =
  | { at: number; what: 'tls'; how: 'from the first byte' | 'STARTTLS'; version: string }
  | { at: number; what: 'login'; user: string; passwordRight: boolean; encrypted: boolean; accepted: boolean }
  | { at: number; what: 'sender'; address: string; encrypted: boolean; accepted: boolean }
  | { at: number; what: 'mail'; from: string; to: string[]; subject: string; encrypted: boolean };

export interface TlsSession {
  /** 1 for the first session the server took, 2 for the next, … */
  number: number;
  /** Whether the session was encrypted when the server first saw it (implicit TLS). */
  encryptedAtConnect: boolean;
  events: SessionEvent[];
}

/** The reply to a login or a sender before STARTTLS (RFC 3207 section 4; the code smtp-server and Mailpit give). */
export const STARTTLS_FIRST = { code: 530, text: '5.7.0 Must issue a STARTTLS command first' } as const;

type ListenError = Error & { code?: string };

export interface TlsSinkWhere {
  /** The address to listen on; the word `loopback` picks 127.x.y.z of its own. */
  listenHost: string;
  /** The host the proxy uses for it (ignored with `loopback`: the same address). */
  hostForProxy: string;
}

/** A random loopback address, not 127.0.0.1 (where the stack's own services listen). */
export function randomLoopback(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

/** Where a TLS sink listens for a stack whose partners are at `partners`: a loopback of its own when the proxy shares ours. */
export function tlsSinkWhere(partners: { listenHost: string; hostForProxy: string }): TlsSinkWhere {
  const loopback = /^127\./.test(partners.listenHost) && partners.hostForProxy === partners.listenHost;
  return loopback ? { listenHost: 'loopback', hostForProxy: '' } : partners;
}

export class TlsSmtpSink {
  readonly sessions: TlsSession[] = [];
  /** Errors of connections the server reported (a TLS handshake that failed, a connection reset), for the evidence. */
  readonly errors: string[] = [];
  private readonly bySession = new Map<string, TlsSession>();
  private server: SMTPServer | undefined;
  private address: HostPort | undefined;

  constructor(
    readonly mode: TlsMode,
    private readonly login: { user: string; password: string },
  ) {}

  /** Where the proxy reaches it (after start). */
  get forProxy(): HostPort {
    if (!this.address) throw new Error('the TLS mail server is not started');
    return this.address;
  }

  /**
   * Listens at `where` on the mode's port (or `port`, for tests), with a certificate
   * made by `certificateFor(host)` for the host the proxy uses. With `loopback`, tries
   * up to 20 addresses of its own before giving up.
   */
  async start(where: TlsSinkWhere, certificateFor: (host: string) => Promise<ServerCertificate>, port = TLS_PORTS[this.mode]): Promise<HostPort> {
    if (this.server) throw new Error('the TLS mail server is already started');
    const attempts = where.listenHost === 'loopback' ? 20 : 1;
    const tried: string[] = [];
    for (let i = 0; i < attempts; i++) {
      const listenHost = where.listenHost === 'loopback' ? randomLoopback() : where.listenHost;
      const hostForProxy = where.listenHost === 'loopback' ? listenHost : where.hostForProxy;
      const server = this.createServer(await certificateFor(hostForProxy));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, listenHost, () => {
            server.removeListener('error', reject);
            resolve();
          });
        });
      } catch (error) {
        const e = error as ListenError;
        await closeSmtp(server).catch(() => undefined);
        if (e.code === 'EACCES') {
          throw new Error(`the ${this.mode} TLS mail server cannot listen on port ${port} of ${listenHost}: ports below 1024 need root, or CAP_NET_BIND_SERVICE for node, or sysctl net.ipv4.ip_unprivileged_port_start=0`);
        }
        if (e.code !== 'EADDRINUSE') throw error;
        tried.push(`${listenHost}:${port}`);
        continue;
      }
      server.on('error', (err: Error) => this.errors.push(err.message));
      this.server = server;
      this.address = { host: hostForProxy, port: (server.server.address() as AddressInfo).port };
      return this.address;
    }
    throw new Error(`the ${this.mode} TLS mail server found no free address: in use: ${tried.join(', ')}`);
  }

  private session(id: string): TlsSession {
    const found = this.bySession.get(id);
    if (!found) throw new Error(`the TLS mail server has no record of session ${id}`);
    return found;
  }

  private createServer(certificate: ServerCertificate): SMTPServer {
    const implicit = this.mode === 'implicit';
    const starttlsFirst = () => Object.assign(new Error(STARTTLS_FIRST.text), { responseCode: STARTTLS_FIRST.code });
    const options: SMTPServerOptions = {
      secure: implicit,
      key: certificate.key,
      cert: certificate.cert,
      // Offered before the upgrade as well: a login in clear text reaches onAuth, is recorded and refused.
      allowInsecureAuth: !implicit,
      authOptional: false,
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      // The proxy keeps pooled connections open; don't wait 30 s for them on close.
      closeTimeout: 200,
      onConnect: (session, callback) => {
        const tracked: TlsSession = { number: this.sessions.length + 1, encryptedAtConnect: session.secure, events: [] };
        this.sessions.push(tracked);
        this.bySession.set(session.id, tracked);
        callback();
      },
      onSecure: (socket, session, callback) => {
        const tracked = this.session(session.id);
        const how = tracked.encryptedAtConnect ? 'from the first byte' : 'STARTTLS';
        tracked.events.push({ at: Date.now(), what: 'tls', how, version: (socket as TLSSocket).getProtocol?.() ?? 'unknown' });
        callback();
      },
      onAuth: (auth, session, callback) => {
        const user = auth.username ?? '';
        const passwordRight = user === this.login.user && auth.password === this.login.password;
        const accepted = session.secure && passwordRight;
        this.session(session.id).events.push({ at: Date.now(), what: 'login', user, passwordRight, encrypted: session.secure, accepted });
        if (!session.secure) callback(starttlsFirst());
        else if (accepted) callback(null, { user });
        else callback(new Error('5.7.8 Invalid username or password'));
      },
      onMailFrom: (address, session, callback) => {
        this.session(session.id).events.push({ at: Date.now(), what: 'sender', address: address.address, encrypted: session.secure, accepted: session.secure });
        if (!session.secure) callback(starttlsFirst());
        else callback();
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.session(session.id).events.push({
              at: Date.now(),
              what: 'mail',
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              encrypted: session.secure,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    };
    return new SMTPServer(options);
  }

  /** Every mail taken for `recipient` with `subject`, with the session that carried it. */
  mailsFor(recipient: string, subject: string): { session: TlsSession; mail: Extract<SessionEvent, { what: 'mail' }> }[] {
    return this.sessions.flatMap((session) =>
      session.events.flatMap((event) => (event.what === 'mail' && event.to.includes(recipient) && event.subject === subject ? [{ session, mail: event }] : [])),
    );
  }

  /** Every login and sender the server saw before TLS was up, in any session. */
  inClearText(): SessionEvent[] {
    return this.sessions.flatMap((s) => s.events.filter((e) => (e.what === 'login' || e.what === 'sender' || e.what === 'mail') && !e.encrypted));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeSmtp(server);
  }
}
