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
import { RefusingSmtpServer } from '../partners/refusing-smtp-server.js';
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

/** The mail servers a scenario's account can point at, as the features name them. */
export const MAIL_SERVERS = /points at a mail server that (?:refuses every message with code \d+|refuses unknown recipients|is down)|asks for TLS from a mail server that offers none/;

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

  /** An account with the default use_tls (true) on a plain server of its own. */
  async accountAskingTlsFromPlainServer(): Promise<void> {
    const sink = await this.world.session.provider.startSink({ label: 'plain' });
    this.world.teardown.push('stop the plain mail server', () => sink.stop());
    this.world.routeTo(sink);
    await this.world.createSinkAccount({ use_tls: undefined });
  }
}
