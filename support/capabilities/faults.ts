/**
 * Fault injection for a scenario, with real tools (features/faults.feature):
 *  - Mailpit chaos: refusals when the sender is announced (MAIL FROM). Chaos is global
 *    to a Mailpit, but each worker owns its Mailpit and runs one scenario at a time, so
 *    no other scenario sees it; the scenario's teardown switches it off again.
 *  - a strict Mailpit (one per worker) with an allowed-recipients pattern: recipients
 *    at the "unknown" domain are refused with 550 at RCPT TO;
 *  - an SMTP server of the suite that refuses the message data (support/partners/refusing-smtp-server.ts);
 *  - a mail server that is down: an account on a free port of the partners' address
 *    (Endpoints.partners) where nothing listens, and a Mailpit started on that very port
 *    when the scenario says the server is back;
 *  - a Mailpit of the scenario's own for TLS, because the proxy's connection pool does
 *    not key on TLS and could reuse another account's plain connection (docs/sut-0.7.0.md#tls-failure-misreported).
 */
import { expect } from 'chai';
import { RefusingSmtpServer } from '../partners/refusing-smtp-server.js';
import { LoginSmtpServer } from '../partners/login-smtp-server.js';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { attemptEvents, type HistoryEvent, type MessageRecord } from '../clients/proxy-api.js';
import { freePort } from '../base/net.js';
import type { SinkInstance } from '../stack/types.js';
import type { StackSession } from '../stack/session.js';
import { MAIL_DOMAIN, type GenroWorld } from '../cucumber/world.js';

/** The strict sink accepts only addresses at exactly this domain. */
const ALLOWED_RECIPIENTS = `@${MAIL_DOMAIN.replace(/\./g, '\\.')}$`;

function strictSink(session: StackSession): Promise<SinkInstance> {
  const sink = session.provider.startSink({ label: 'strict', allowedRecipients: ALLOWED_RECIPIENTS });
  session.teardown.push('stop the strict mail sink', async () => (await sink).stop());
  return sink;
}

/**
 * The strict sink's reply to a recipient it does not know, at RCPT TO: Mailpit v1.30.7,
 * internal/smtpd/smtpd.go:534 ("550 5.1.0 Requested action not taken: mailbox unavailable").
 */
export const UNKNOWN_RECIPIENT_REPLY = { code: 550, text: 'Requested action not taken: mailbox unavailable' } as const;

/** What aiosmtplib (5.1.3, smtp.py:1098) raises when the server does not offer STARTTLS; the proxy's error names it. */
export const STARTTLS_UNSUPPORTED = 'SMTP STARTTLS extension not supported by server.';

/** True when `text` holds the SMTP code as a number of its own (not inside an id or an address). */
export function mentionsCode(text: string, code: number): boolean {
  return new RegExp(`(^|[^0-9A-Za-z.])${code}([^0-9A-Za-z]|$)`).test(text);
}

/** The mail servers a scenario's account can point at, as the features name them. */
export const MAIL_SERVERS = /points at a mail server that (?:refuses every message with code \d+|refuses unknown recipients|is down)|asks for TLS from a mail server that offers none|logs in to a mail server that refuses its password/;

export class FaultInjection {
  private chaosCleanup = false;
  private downPort: number | undefined;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): FaultInjection {
    return new FaultInjection(world);
  }

  /** The scenario's account (of its tenant, made now if there is none) points at the mail server the feature names. */
  async pointAccountAt(server: string): Promise<void> {
    if (!this.world.tenantId) await this.world.createTenant();
    const refusing = /^points at a mail server that refuses every message with code (\d+)$/.exec(server);
    if (refusing) await this.accountOnRefusingServer(Number(refusing[1]));
    else if (server === 'points at a mail server that refuses unknown recipients') await this.accountOnStrictSink();
    else if (server === 'points at a mail server that is down') await this.accountOnDownServer();
    else if (server === 'asks for TLS from a mail server that offers none') await this.accountAskingTlsFromPlainServer();
    else if (server === 'logs in to a mail server that refuses its password') await this.accountWithRefusedLogin();
    else throw new Error(`no mail server that "${server}"`);
  }

  /** Mailpit answers MAIL FROM with `code` for every message. */
  async refuseSenders(code: number): Promise<void> {
    if (!this.chaosCleanup) {
      const mailpit = this.world.mailpit;
      this.world.teardown.push('switch Mailpit chaos off', () => mailpit.resetChaos());
      this.chaosCleanup = true;
    }
    const chaos = await this.world.mailpit.setChaos({ Sender: { ErrorCode: code, Probability: 100 } });
    if (chaos.Sender?.Probability !== 100) throw new Error(`Mailpit did not take the chaos setting: ${JSON.stringify(chaos)}`);
  }

  async acceptAgain(): Promise<void> {
    await this.world.mailpit.resetChaos();
  }

  /** The scenario's account delivers to a server that refuses the message data. */
  async accountOnRefusingServer(code: number): Promise<RefusingSmtpServer> {
    const server = this.world.use(RefusingSmtpServer.forScenario);
    const address = await server.start({ code, text: `5.7.1 Message refused by the suite's test server (code ${code})` }, this.world.session.endpoints.partners);
    await this.world.createSinkAccount({ host: address.host, port: address.port });
    return server;
  }

  /** The scenario's account delivers to the worker's strict sink. */
  async accountOnStrictSink(): Promise<void> {
    this.world.routeTo(await this.world.session.use(strictSink));
    await this.world.createSinkAccount();
  }

  /** A port of the partners' address where nothing listens: the proxy's connection is refused. */
  async accountOnDownServer(): Promise<void> {
    const partners = this.world.session.endpoints.partners;
    this.downPort = await freePort(partners.listenHost);
    await this.world.createSinkAccount({ host: partners.hostForProxy, port: this.downPort });
  }

  /** Starts a mail server on the port the account points at. */
  async bringServerBack(): Promise<void> {
    if (this.downPort === undefined) throw new Error('no mail server was down in this scenario');
    const sink = await this.world.session.provider.startSink({ label: 'back-up', smtpPort: this.downPort });
    this.world.teardown.push('stop the restored mail server', () => sink.stop());
    this.world.routeTo(sink);
  }

  /**
   * The message gave up, as the docs' retry rules allow (docs/sut-0.7.0.md, "Defects: retries
   * and SMTP errors"): nothing sent, and exactly one error, either at the first attempt with
   * `error` as its text, or after exactly max_retries deferrals (retry_count 1, 2, ..., each
   * with `error` as its reason, each retry no earlier than its delay) with the text
   * "Max retries (N) exceeded: <error>" (src/core/mail_proxy/smtp/sender.py:622-623). The
   * message list gives that last error, with its time.
   */
  assertGaveUp(alias: string, record: MessageRecord, error: string): void {
    const { maxRetries } = this.world.session.config.proxy;
    const retryDelays = this.retryDelays;
    const attempts = attemptEvents(record);
    const shown = `the attempts of "${alias}": ${JSON.stringify(attempts.map((e) => ({ type: e.event_type, at: e.event_ts, text: e.description, retry_count: e.metadata?.retry_count })))}`;
    expect(attempts.filter((e) => e.event_type === 'sent'), `sends in ${shown}`).to.deep.equal([]);
    expect(attempts.filter((e) => e.event_type === 'error'), `errors in ${shown}`).to.have.length(1);
    const last = attempts.at(-1)!;
    expect(last.event_type, `the last attempt in ${shown}`).to.equal('error');
    const deferrals = attempts.slice(0, -1);
    if (deferrals.length === 0) {
      expect(last.description, `the error of "${alias}", at its first attempt`).to.equal(error);
    } else {
      expect(deferrals.length, `deferrals before "${alias}" gave up (max_retries ${maxRetries}) in ${shown}`).to.equal(maxRetries);
      deferrals.forEach((d, i) => {
        expect({ type: d.event_type, reason: d.description, retry_count: d.metadata?.retry_count }, `deferral ${i + 1} in ${shown}`)
          .to.deep.equal({ type: 'deferred', reason: error, retry_count: i + 1 });
        const delay = retryDelays[Math.min(i, retryDelays.length - 1)] ?? 0;
        // event_ts has whole seconds: one second of rounding.
        expect(attempts[i + 1]!.event_ts, `attempt ${i + 2} against deferral ${i + 1} plus its delay (${delay} s) in ${shown}`).to.be.at.least(d.event_ts + delay - 1);
      });
      expect(last.description, `the final error of "${alias}"`).to.equal(`Max retries (${maxRetries}) exceeded: ${error}`);
    }
    expect({ error: record.error, error_ts: record.error_ts }, `the error of "${alias}" in /messages/list`).to.deep.equal({ error: last.description, error_ts: last.event_ts });
  }

  /** The retry delays (s) of the proxy the scenario talks to. */
  get retryDelays(): number[] {
    return this.world.retryDelays;
  }

  /**
   * The message was deferred, then sent (docs/sut-0.7.0.md, "Defects: retries and SMTP
   * errors"): its attempts are one or more deferrals, at most max_retries, then exactly one
   * 'sent' and no error. Deferral i has retry_count i, a reason that includes `reason`, and
   * a retry time (metadata deferred_ts) of its own time plus the i-th configured delay; no
   * attempt comes before the retry time of the deferral before it. Returns the deferrals.
   */
  assertDeferredThenSent(alias: string, record: MessageRecord, reason: string): HistoryEvent[] {
    const { maxRetries } = this.world.session.config.proxy;
    const delays = this.retryDelays;
    const attempts = attemptEvents(record);
    const shown = `the attempts of "${alias}": ${JSON.stringify(attempts.map((e) => ({ type: e.event_type, at: e.event_ts, text: e.description, ...(e.metadata ?? {}) })))}`;
    const deferrals = attempts.slice(0, -1);
    expect(attempts.map((e) => e.event_type), shown).to.deep.equal([...deferrals.map(() => 'deferred'), 'sent']);
    expect(deferrals.length, `deferrals in ${shown}`).to.be.within(1, maxRetries);
    deferrals.forEach((d, i) => {
      const delay = delays[Math.min(i, delays.length - 1)]!;
      expect({ retry_count: d.metadata?.retry_count, retry_at: d.metadata?.deferred_ts }, `deferral ${i + 1} (its time plus ${delay} s) in ${shown}`)
        .to.deep.equal({ retry_count: i + 1, retry_at: d.event_ts + delay });
      expect(d.description ?? '', `the reason of deferral ${i + 1} in ${shown}`).to.include(reason);
      expect(attempts[i + 1]!.event_ts, `attempt ${i + 2} against the retry time of deferral ${i + 1} in ${shown}`).to.be.at.least(d.event_ts + delay);
    });
    return deferrals;
  }

  /**
   * Waits until the history of `alias` shows a deferral with retry count `count` and a
   * reason that mentions `text`; gives up at once when the message ends (sent or error)
   * without one. Returns the history it saw.
   */
  async waitForDeferral(alias: string, count: number, text: string): Promise<HistoryEvent[]> {
    const isIt = (e: HistoryEvent) => e.event_type === 'deferred' && e.metadata?.retry_count === count && (e.description ?? '').includes(text);
    return eventually(
      { description: `a deferral of "${alias}" with retry_count ${count} and a reason mentioning "${text}"`, timeoutMs: this.world.deliveryTimeoutMs + this.world.retryTimeoutMs },
      async () => {
        const record = await this.world.record(alias, true);
        const history = record.history ?? [];
        if (!history.some(isIt) && (record.status === 'sent' || record.status === 'error')) {
          throw new GiveUp(`message "${alias}" ended in ${record.status}${record.error ? `: ${record.error}` : ''}; its attempts: ${JSON.stringify(attemptEvents(record))}`);
        }
        return history;
      },
      (history) => history.some(isIt),
    );
  }

  /** An account with the default use_tls (true) on a plain server of its own. */
  async accountAskingTlsFromPlainServer(): Promise<void> {
    const sink = await this.world.session.provider.startSink({ label: 'plain' });
    this.world.teardown.push('stop the plain mail server', () => sink.stop());
    this.world.routeTo(sink);
    await this.world.createSinkAccount({ use_tls: undefined });
  }

  /**
   * The account logs in to a server of the suite (support/partners/login-smtp-server.ts) as
   * the user the server knows, but with a password that is not the server's: the server
   * answers every login with 535.
   */
  async accountWithRefusedLogin(): Promise<void> {
    const secrets = this.world.use(ScenarioSecrets.forScenario);
    const user = `mailer-${this.world.sid}`;
    const server = await this.world.use(LoginSmtpServer.forScenario).start({ user, password: secrets.make('the SMTP server\'s password') }, this.world.session.endpoints.partners);
    await this.world.createSinkAccount({ host: server.host, port: server.port, user, password: secrets.make('a wrong SMTP password') });
  }

  /**
   * The server that wants a login refused every login of the account, in exactly `sessions`
   * SMTP session(s) (the proxy's client may try several mechanisms within one), and took no
   * mail, for as long as a retry would take to show.
   */
  async assertLoginRefusedAndNoMail(sessions: number): Promise<void> {
    const server = this.world.use(LoginSmtpServer.forScenario);
    const user = `mailer-${this.world.sid}`;
    const seen = () => ({
      sessionsThatLoggedIn: new Set(server.logins.map((l) => l.session)).size,
      loginsNotRefused: server.logins.filter((l) => l.accepted || l.user !== user).length,
      mailsTaken: server.received.length,
    });
    await consistently(
      { description: `the mail server to refuse every login of ${user}, in ${sessions} session(s), and to take no mail`, timeoutMs: this.world.retryWindowMs, intervalMs: 100 },
      seen,
      (s) => s.sessionsThatLoggedIn === sessions && s.loginsNotRefused === 0 && s.mailsTaken === 0,
    );
  }
}
