/**
 * SMTP connections as the operator of the mail server sees them (features/smtp-connections.feature):
 * the scenario's accounts deliver to an SMTP server of the suite that records every
 * connection, who logged in on it and which mails it carried
 * (support/partners/watching-smtp-server.ts). The checks: messages an account sends
 * close together reuse one connection, logged in once; each account has connections of
 * its own; an account's batch size bounds how many of its messages are on the way at once.
 *
 * Reach it as `world.use(SmtpConnections.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually, GiveUp } from '../base/eventually.js';
import { ScenarioSecrets } from '../base/secrets.js';
import type { AccountInput } from '../clients/proxy-api.js';
import { WatchingSmtpServer, type WatchedConnection } from '../partners/watching-smtp-server.js';
import type { GenroWorld } from '../cucumber/world.js';

interface ScenarioAccount {
  input: AccountInput;
  /** The aliases of the messages it was given to send, in order. */
  messages: string[];
}

export class SmtpConnections {
  private readonly accounts = new Map<string, ScenarioAccount>();

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SmtpConnections {
    return new SmtpConnections(world);
  }

  private get server(): WatchingSmtpServer {
    return this.world.use(WatchingSmtpServer.forScenario);
  }

  private account(name: string): ScenarioAccount {
    const found = this.accounts.get(name);
    if (!found) throw new Error(`no SMTP account "${name}" in this scenario (known: ${[...this.accounts.keys()].join(', ') || 'none'})`);
    return found;
  }

  /** The user an account logs in as: its name, made the scenario's own. */
  private userOf(name: string): string {
    return `${name}-${this.world.sid}`;
  }

  /** The account a login belongs to, by name ("orders"), or the login itself when it is none of the scenario's. */
  private nameOf(user: string): string {
    return [...this.accounts.keys()].find((name) => this.userOf(name) === user) ?? `(unknown user ${user})`;
  }

  private recipientOf(alias: string): string {
    return this.world.address(`${alias}-recipient`);
  }

  /** Every message the scenario's accounts were given, in the order given. */
  private get allMessages(): string[] {
    return [...this.accounts.values()].flatMap((a) => a.messages);
  }

  /**
   * A tenant with one SMTP account per name, each with a login (user and random password)
   * of its own, all on one watching SMTP server that takes exactly those logins.
   */
  async accountsOnWatchingServer(names: string[]): Promise<void> {
    const tenantId = await this.world.createTenant();
    const secrets = this.world.use(ScenarioSecrets.forScenario);
    const logins = new Map(names.map((name) => [this.userOf(name), secrets.make(`the SMTP password of "${name}"`)] as const));
    const address = await this.server.start(logins, this.world.session.endpoints.partners);
    for (const name of names) {
      const user = this.userOf(name);
      const input: AccountInput = { id: `${name}-${this.world.sid}`, tenant_id: tenantId, host: address.host, port: address.port, use_tls: false, user, password: logins.get(user)! };
      await this.world.proxy.accounts.add(input);
      this.accounts.set(name, { input, messages: [] });
    }
    this.world.accountId = this.account(names[0]!).input.id;
  }

  /** The account sends at most `count` messages per cycle (its batch size). */
  async setBatchSize(name: string, count: number): Promise<void> {
    const account = this.account(name);
    account.input = { ...account.input, batch_size: count };
    const stored = await this.world.proxy.accounts.add(account.input);
    expect(stored.batch_size, `the batch size of "${name}" as the proxy stored it`).to.equal(count);
  }

  private draftFor(name: string, extra: { batch_code?: string } = {}): { alias: string; message: ReturnType<GenroWorld['draft']> } {
    const account = this.account(name);
    const alias = `${name}-${account.messages.length + 1}`;
    account.messages.push(alias);
    return { alias, message: this.world.draft(alias, { account_id: account.input.id, ...extra }) };
  }

  /**
   * The account sends `count` messages, one after another: each is submitted once the
   * previous one reached the server and the proxy lists it as sent.
   */
  async sendOneAfterAnother(name: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const draft = this.draftFor(name);
      const answer = await this.world.submit([draft]);
      expect(answer, `the answer to submitting "${draft.alias}"`).to.deep.include({ ok: true, rejected: [] });
      await this.waitForMail(draft.alias);
      await this.world.waitForStatus(draft.alias, 'sent');
    }
  }

  /** The account submits `count` messages in one request, all in the batch named. */
  async submitAtOnce(name: string, count: number, batch: string): Promise<void> {
    const drafts = Array.from({ length: count }, () => this.draftFor(name, { batch_code: this.world.batchCode(batch) }));
    const answer = await this.world.submit(drafts);
    expect(answer, `the answer to submitting the ${count} messages of "${name}"`).to.deep.include({ ok: true, rejected: [] });
  }

  /** Waits until the server took a mail for the message; gives up when the message failed. */
  private async waitForMail(alias: string): Promise<void> {
    await eventually(
      { description: `the mail "${alias}" to reach the watching SMTP server`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 50, context: () => this.world.nearby(alias) },
      async () => {
        const mails = this.server.mailsFor(this.recipientOf(alias));
        if (mails.length === 0) {
          const record = await this.world.record(alias, true);
          if (record.status === 'error') throw new GiveUp(`message "${alias}" ended in error: ${record.error ?? '(no error text)'}`);
        }
        return mails.length;
      },
      (n) => n > 0,
    );
  }

  /** Nothing reaches the server, and no connection opens or closes, for `seconds`: the account sends nothing meanwhile. */
  async staysIdle(name: string, seconds: number): Promise<void> {
    this.account(name);
    const before = this.describeConnections();
    await consistently(
      { description: `no mail and no connection opened or closed at the watching SMTP server while "${name}" sends nothing for ${seconds} s (before: ${before})`, timeoutMs: seconds * 1000, intervalMs: 100 },
      () => this.describeConnections(),
      (now) => now === before,
    );
  }

  /**
   * The server took a mail for each of the `count` messages the accounts were given, and
   * exactly one each: none more arrives for a quiet period.
   */
  async assertEachMailOnce(count: number): Promise<void> {
    const aliases = this.allMessages;
    expect(aliases, 'the messages the scenario\'s accounts were given').to.have.length(count);
    for (const alias of aliases) await this.waitForMail(alias);
    const perMessage = () => Object.fromEntries(aliases.map((alias) => [alias, this.server.mailsFor(this.recipientOf(alias)).length]));
    await consistently(
      { description: `each of the ${count} mails at the watching SMTP server once, and no other mail (mails per message)`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => ({ perMessage: perMessage(), allMails: this.server.connections.reduce((n, c) => n + c.mails.length, 0) }),
      (seen) => Object.values(seen.perMessage).every((n) => n === 1) && seen.allMails === count,
    );
  }

  /** A connection as the feature reads it: who logged in on it, and the messages it carried. */
  private describe(connection: WatchedConnection): { 'logged in as': string[]; mails: string[] } {
    const aliases = this.allMessages;
    return {
      'logged in as': connection.logins.map((l) => (l.accepted ? this.nameOf(l.user) : `${this.nameOf(l.user)} (refused)`)),
      mails: connection.mails.map((m) => aliases.find((alias) => m.to.includes(this.recipientOf(alias))) ?? `(unknown: ${m.to.join(', ')})`),
    };
  }

  private describeConnections(): string {
    return JSON.stringify(this.server.connections.map((c) => ({ ...this.describe(c), open: c.closedAt === undefined })));
  }

  /**
   * The server saw exactly these connections, in any order: one per row, on which the
   * row's account logged in once and which carried exactly that account's messages, all
   * of them, in the order it sent them.
   */
  async assertConnections(rows: { account: string; mails: number }[]): Promise<void> {
    for (const row of rows) {
      expect(this.account(row.account).messages, `the messages "${row.account}" was given`).to.have.length(row.mails);
    }
    const line = (c: { 'logged in as': string[]; mails: string[] }) => `logged in as ${c['logged in as'].join(' then ') || 'nobody'}, carried ${c.mails.join(', ') || 'no mail'}`;
    const expected = rows.map((row) => line({ 'logged in as': [row.account], mails: this.account(row.account).messages })).sort();
    const seen = this.server.connections.map((c) => line(this.describe(c))).sort();
    expect(seen, `the ${seen.length} connection(s) the mail server saw, against the ${expected.length} expected`).to.deep.equal(expected);
  }

  /** The server saw no more than `count` connections, and every one logged in as the account. */
  assertAtMostConnections(name: string, count: number): void {
    const seen = this.server.connections.map((c) => this.describe(c));
    expect(seen.every((c) => c['logged in as'].length === 1 && c['logged in as'][0] === name), `every connection logged in once, as "${name}": ${JSON.stringify(seen)}`).to.equal(true);
    if (seen.length > count) throw new Error(`the mail server saw ${seen.length} connections for "${name}", more than ${count}: ${JSON.stringify(seen)}`);
  }

  /** Never more than `count` of the account's mails were under way at the server at the same moment. */
  assertAtMostAtOnce(name: string, count: number): void {
    const aliases = this.account(name).messages;
    const most = this.server.mostAtOnce(aliases.map((alias) => this.recipientOf(alias)));
    const time = (ms: number) => new Date(ms).toISOString().slice(17, 23);
    const spans = this.server.connections.flatMap((c) =>
      c.mails.map((m) => `${this.describe({ ...c, mails: [m] }).mails[0]} on connection ${c.number}, ${time(m.startedAt)}-${time(m.acceptedAt)}`),
    );
    if (most > count) {
      throw new Error(`${most} mails of "${name}" were under way at the server at the same moment, more than ${count} (each from the sender announced to the data accepted, seconds): ${spans.join('; ')}`);
    }
  }
}
