/**
 * Delivery to mail servers that speak TLS (features/encryption.feature): an account on
 * the SMTPS port (465) of a server that speaks only TLS, or on the submission port (587)
 * of a server that wants STARTTLS before a login or a mail (support/partners/tls-smtp-sink.ts).
 *
 * The servers' certificates come from the worker's test CA (support/partners/test-ca.ts).
 * The scenario runs on a proxy of its own whose environment gives SSL_CERT_FILE, a
 * bundle of this machine's CAs plus the test CA, written where every proxy of the stack
 * reads files (StackProvider.proxyFileDir()). A proxy that does not trust the CA fails
 * the scenario: its message ends in error with the certificate failure.
 */
import { expect } from 'chai';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { attemptEvents } from '../clients/proxy-api.js';
import { TestCertificateAuthority } from '../partners/test-ca.js';
import { TlsSmtpSink, tlsSinkWhere, type SessionEvent, type TlsMode } from '../partners/tls-smtp-sink.js';
import { redactValue } from '../base/redact.js';
import type { StackSession } from '../stack/session.js';
import { OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

/** The worker's test CA, and the trust bundle every proxy of the stack can read (made on first use). */
function testCaTrust(session: StackSession): Promise<{ ca: TestCertificateAuthority; bundle: string }> {
  const made = TestCertificateAuthority.create();
  session.teardown.push('remove the test CA', async () => (await made).remove());
  return made.then((ca) => ({ ca, bundle: ca.writeTrustBundle(session.provider.proxyFileDir()) }));
}

/** The servers the feature names: how each speaks TLS. */
export const TLS_SERVERS = /on the SMTPS port of a mail server that speaks only TLS|on the submission port of a mail server that requires STARTTLS/;

/** How the TLS of a session began, as the sink records it. */
type TlsStart = Extract<SessionEvent, { what: 'tls' }>['how'];

export class EncryptedDelivery {
  private sink: TlsSmtpSink | undefined;
  private user = '';
  /** The account's use_tls, as the feature sets it before the account is made. */
  useTls: boolean | undefined;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): EncryptedDelivery {
    return new EncryptedDelivery(world);
  }

  private get server(): TlsSmtpSink {
    if (!this.sink) throw new Error('this scenario has no TLS mail server');
    return this.sink;
  }

  /**
   * A proxy of the scenario's own that trusts the test CA; a tenant; a TLS mail server of
   * the kind the feature names, that takes a login of its own user; and the tenant's
   * account on it, with that login and the use_tls the feature set.
   */
  async accountOn(server: string): Promise<void> {
    const useTls = this.useTls;
    if (useTls === undefined) throw new Error('the feature did not say whether the account uses TLS');
    const mode: TlsMode = /SMTPS/.test(server) ? 'implicit' : /STARTTLS/.test(server) ? 'starttls' : (() => {
      throw new Error(`no TLS mail server "${server}"`);
    })();
    const { ca, bundle } = await this.world.session.use(testCaTrust);
    await this.world.use(OwnProxy.forScenario).start({ label: 'tls', environment: { SSL_CERT_FILE: bundle } });
    await this.world.createTenant();
    this.user = `mailer-${this.world.sid}`;
    const password = this.world.use(ScenarioSecrets.forScenario).make('the TLS mail server\'s password');
    const sink = new TlsSmtpSink(mode, { user: this.user, password });
    this.world.teardown.push(`stop the ${mode} TLS mail server`, () => sink.stop());
    this.world.evidence.add('tls-mail-server', {
      title: () => `TLS mail server (${mode}, ${sink.sessions.length} sessions)`,
      collect: () => JSON.stringify(redactValue({ sessions: sink.sessions, errors: sink.errors }), null, 1),
    });
    const address = await sink.start(tlsSinkWhere(this.world.session.endpoints.partners), (host) => ca.serverCertificate(host));
    this.sink = sink;
    await this.world.createSinkAccount({ host: address.host, port: address.port, user: this.user, password, use_tls: useTls });
  }

  /**
   * The mail reaches the server, exactly once for a quiet period, in a session whose TLS began as `how` says, and
   * in that session, in this order: TLS up, the account's login (its user, the right
   * password, encrypted, accepted), the sender (encrypted), the mail (encrypted).
   * Gives up at once when the message ends in error.
   */
  async assertDeliveredOver(alias: string, how: TlsStart): Promise<void> {
    const message = this.world.message(alias);
    const recipient = this.world.address(`${alias}-recipient`);
    const found = await eventually(
      { description: `the mail "${alias}" (${message.subject}) to reach the TLS mail server`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.world.nearby(alias) },
      async () => {
        const mails = this.server.mailsFor(recipient, message.subject ?? '');
        if (mails.length === 0) {
          const record = await this.world.record(alias, true);
          if (record.status === 'error') {
            // Every attempt: a later one can hide the first's cause (a certificate the proxy does not trust).
            const attempts = attemptEvents(record).map((e) => `${e.event_type}: ${e.description ?? ''}`);
            throw new GiveUp(`message "${alias}" ended in error: ${record.error ?? '(no error text)'}; its attempts: ${attempts.join(' | ')}`);
          }
        }
        return mails;
      },
      (mails) => mails.length > 0,
    );
    await consistently(
      { description: `exactly one mail "${alias}" at the TLS mail server`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => this.server.mailsFor(recipient, message.subject ?? '').length,
      (count) => count === 1,
    );
    const { session } = found[0]!;
    const shown = (e: SessionEvent) => {
      const { at: _at, ...rest } = e;
      return e.what === 'tls' ? { what: e.what, how: e.how } : rest;
    };
    const upToMail = session.events.slice(0, session.events.findIndex((e) => e.what === 'mail') + 1).map(shown);
    expect({ encryptedAtConnect: session.encryptedAtConnect, events: upToMail }, `the session that carried "${alias}" (session ${session.number})`).to.deep.equal({
      encryptedAtConnect: how === 'from the first byte',
      events: [
        { what: 'tls', how },
        { what: 'login', user: this.user, passwordRight: true, encrypted: true, accepted: true },
        { what: 'sender', address: message.from, encrypted: true, accepted: true },
        { what: 'mail', from: message.from, to: [recipient], subject: message.subject, encrypted: true },
      ],
    });
    const tls = session.events[0] as Extract<SessionEvent, { what: 'tls' }>;
    expect(tls.version, `the TLS version of the session that carried "${alias}"`).to.match(/^TLSv1\.[23]$/);
  }

  /** In no session did the server see a login, a sender or a mail before TLS was up. */
  assertNothingInClearText(): void {
    expect(this.server.inClearText().map(({ at: _at, ...e }) => e), 'logins, senders and mails the TLS mail server saw in clear text').to.deep.equal([]);
  }
}
