/**
 * A tenant with several SMTP accounts, each on a mail server of its own, so that a
 * scenario sees through which account a message went out: the mail arrives at that
 * account's server and at no other (features/delivery.feature).
 *
 * The first account delivers to the stack's mail sink, each further one to a Mailpit of
 * the scenario's own (StackProvider.startSink), stopped with the scenario.
 *
 * Reach it as `world.use(SeveralAccounts.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { Mailpit, type MailSummary } from '../clients/mailpit.js';
import type { GenroWorld } from '../cucumber/world.js';

interface AccountServer {
  /** The account's id in the proxy. */
  id: string;
  /** The mail server the account delivers to. */
  mailpit: Mailpit;
}

export class SeveralAccounts {
  private readonly accounts = new Map<string, AccountServer>();

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SeveralAccounts {
    const several = new SeveralAccounts(world);
    world.evidence.add('several-accounts', {
      title: 'mails of this scenario at each account\'s mail server',
      collect: async () => {
        const lines: string[] = [];
        for (const [name, account] of several.accounts) {
          const mails = await account.mailpit.search(`addressed:"${world.sid}"`, 50);
          lines.push(`${name} (${account.id}): ${mails.map((m) => `"${m.Subject}"`).join(', ') || 'none'}`);
        }
        return lines.join('\n');
      },
    });
    return several;
  }

  /**
   * The scenario's tenant (made now if there is none) gets an account per name: the first on the stack's mail sink, every other
   * on a mail server of its own. Account ids are "<name>-<sid>", as the step
   * 'the application submits the message "x" through the account "name"' names them.
   */
  async tenantWithAccounts(names: string[]): Promise<void> {
    if (!this.world.tenantId) await this.world.createTenant();
    for (const [i, name] of names.entries()) {
      const id = `${name}-${this.world.sid}`;
      if (i === 0) {
        await this.world.createSinkAccount({ id });
        this.accounts.set(name, { id, mailpit: new Mailpit(this.world.session.endpoints.mailpit.apiUrl) });
        continue;
      }
      const sink = await this.world.session.provider.startSink({ label: `account-${name}` });
      this.world.teardown.push(`stop the mail server of the account "${name}"`, () => sink.stop());
      await this.world.proxy.accounts.add({ id, tenant_id: this.world.tenantId!, host: sink.smtpForProxy.host, port: sink.smtpForProxy.port, use_tls: false });
      this.accounts.set(name, { id, mailpit: new Mailpit(sink.apiUrl) });
    }
  }

  /** Mails of the message at each account's server: addressed to its recipient, with its subject. */
  private async mailsAtEachServer(alias: string): Promise<Record<string, MailSummary[]>> {
    const message = this.world.message(alias);
    const recipient = (Array.isArray(message.to) ? message.to[0] : message.to)!;
    const seen: Record<string, MailSummary[]> = {};
    for (const [name, account] of this.accounts) {
      seen[name] = (await account.mailpit.addressedTo(recipient)).filter((m) => m.Subject === message.subject);
    }
    return seen;
  }

  /**
   * The mail arrives at the named account's server, and for a quiet period afterwards
   * that server holds exactly one copy and every other account's server none.
   */
  async assertDeliveredOnlyThrough(alias: string, name: string): Promise<void> {
    if (!this.accounts.has(name)) throw new Error(`the tenant has no account "${name}" (known: ${[...this.accounts.keys()].join(', ')})`);
    const counts = (seen: Record<string, MailSummary[]>) => Object.fromEntries(Object.entries(seen).map(([n, mails]) => [n, mails.length]));
    const expected = Object.fromEntries([...this.accounts.keys()].map((n) => [n, n === name ? 1 : 0]));
    await eventually(
      { description: `the mail "${alias}" to reach the mail server of the account "${name}" (copies at each account's server)`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100, context: () => this.world.nearby(alias) },
      async () => {
        const seen = counts(await this.mailsAtEachServer(alias));
        if (seen[name] === 0 && (await this.world.record(alias)).status === 'error') {
          throw new GiveUp(`message "${alias}" ended in error: ${(await this.world.record(alias, true)).error ?? '(no error text)'}`);
        }
        return seen;
      },
      (seen) => Object.values(seen).some((n) => n > 0),
    );
    await consistently(
      { description: `copies of the mail "${alias}" at each account's server: exactly one at "${name}"'s, none elsewhere`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      async () => counts(await this.mailsAtEachServer(alias)),
      (seen) => JSON.stringify(seen) === JSON.stringify(expected),
    );
    const record = await this.world.record(alias);
    expect(record.status, `the status of "${alias}"`).to.equal('sent');
  }
}
