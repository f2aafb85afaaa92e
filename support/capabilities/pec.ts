/**
 * PEC (Italian certified e-mail) for one scenario: a PEC account added through
 * /accounts/add_pec whose SMTP side is the mail sink and whose receipt mailbox is an IMAP
 * user of the scenario's own on the stack's Dovecot; the receipts the provider would
 * send back (accettazione, consegna, mancata consegna), put in that mailbox; and the PEC
 * events and reports the proxy must derive from them.
 *
 * Deadlines: the proxy polls PEC mailboxes every 60 s by design (docs/sut-0.7.0.md#pec-receipts-never-read; not
 * configurable in 0.7.0; support/base/timeouts.ts), so a receipt must be seen within one
 * poll interval plus PEC_MARGIN_S.
 */
import { expect } from 'chai';
import { stripMailpitHeaders } from '../clients/mailpit.js';
import type { Account, HistoryEvent } from '../clients/proxy-api.js';
import { CallbackReceiver, type ReportItem } from '../partners/callback-receiver.js';
import { deliveredOriginal } from '../mail/mail-expectations.js';
import type { OriginalMail } from '../mail/bounce-mails.js';
import { PEC_MARGIN_S, pecPollInterval } from '../base/timeouts.js';
import { eventually } from '../base/eventually.js';
import { ScenarioMailboxes, type ImapMailbox } from '../clients/imap-mailbox.js';
import { composePecReceipt, PEC_EVENT_OF, type PecReceiptKind } from '../mail/pec-receipts.js';
import { ScenarioSecrets } from '../base/secrets.js';
import type { GenroWorld } from '../cucumber/world.js';

/** IMAP over implicit TLS (RFC 8314): the port a PEC account reads its receipts on unless it says otherwise. */
const STANDARD_SECURE_IMAP_PORT = 993;

export class Pec {
  readonly pollInterval = pecPollInterval();
  /** The SMTP login of the account added with only its IMAP host. */
  private smtpLogin: { user: string; password: string } | undefined;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): Pec {
    return new Pec(world);
  }

  /** One poll interval plus PEC_MARGIN_S. */
  get receiptDeadlineMs(): number {
    return (this.pollInterval + PEC_MARGIN_S) * 1000;
  }

  /** The scenario's PEC mailbox, where the provider's receipts arrive. */
  get mailbox(): ImapMailbox {
    return this.world.use(ScenarioMailboxes.forScenario).mailbox('pec');
  }

  /** A PEC account on the mail sink whose receipts arrive in the scenario's PEC mailbox; it becomes the scenario's account. */
  async addAccount(): Promise<Account> {
    const tenantId = this.world.tenantId ?? (await this.world.createTenant());
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    const imap = this.mailbox.forProxy;
    const account = await this.world.proxy.accounts.addPec({
      id: `pec-${this.world.sid}`,
      tenant_id: tenantId,
      host: sink.host,
      port: sink.port,
      use_tls: false,
      imap_host: imap.host,
      imap_port: imap.port,
      imap_user: imap.user,
      imap_password: imap.password,
      imap_folder: 'INBOX',
    });
    this.world.accountId = account.id;
    return account;
  }

  /** A PEC account with an SMTP login and, of its IMAP settings, only the host; it becomes the scenario's account. */
  async addWithOnlyImapHost(): Promise<void> {
    const tenantId = this.world.tenantId ?? (await this.world.createTenant());
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    this.smtpLogin = { user: 'pec-user', password: this.world.use(ScenarioSecrets.forScenario).make('SMTP password') };
    const account = await this.world.proxy.accounts.addPec({
      id: `pec-${this.world.sid}`, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false,
      ...this.smtpLogin, imap_host: this.world.session.endpoints.imap.forProxy.host,
    });
    this.world.accountId = account.id;
  }

  /** The account reads back as PEC, reading the inbox over secure IMAP with its SMTP login. */
  async assertUsualImapSettings(): Promise<void> {
    if (!this.smtpLogin) throw new Error('no PEC account was added with only its IMAP host in this scenario');
    await this.assertIsPecAccount(this.world.accountId!, {
      imap_host: this.world.session.endpoints.imap.forProxy.host, imap_port: STANDARD_SECURE_IMAP_PORT, imap_folder: 'INBOX',
      imap_user: this.smtpLogin.user, imap_password: this.smtpLogin.password,
    });
  }

  /** The delivered mail, as a receipt refers to it, and its raw source. */
  async original(alias: string): Promise<{ original: OriginalMail; raw: Buffer }> {
    const { original, mail } = await deliveredOriginal(this.world, alias, 'a receipt');
    return { original, raw: Buffer.from(stripMailpitHeaders(await this.world.mailpit.raw(mail.ID))) };
  }

  /** Puts the provider's receipt of `kind` for the delivered mail `alias` in the PEC mailbox. */
  async injectReceipt(kind: PecReceiptKind, alias: string): Promise<void> {
    const { original, raw } = await this.original(alias);
    const receipt = await composePecReceipt(kind, original, raw);
    await this.mailbox.append(receipt.raw, receipt.messageId);
  }

  async history(alias: string): Promise<HistoryEvent[]> {
    return (await this.world.record(alias, true)).history ?? [];
  }

  /** Waits until the message's history holds the PEC event of each receipt kind. */
  async waitForEvents(alias: string, kinds: PecReceiptKind[]): Promise<HistoryEvent[]> {
    const wanted = kinds.map((k) => PEC_EVENT_OF[k]);
    await eventually(
      {
        description: `the PEC events ${wanted.join(', ')} on the message "${alias}" (one PEC poll of ${this.pollInterval} s plus ${PEC_MARGIN_S} s); the events in its history`,
        timeoutMs: this.receiptDeadlineMs,
        intervalMs: 500,
      },
      async () => (await this.history(alias)).map((e) => e.event_type),
      (events) => wanted.every((w) => events.includes(w)),
    );
    return (await this.history(alias)).filter((e) => (wanted as string[]).includes(e.event_type));
  }

  /** Waits until the application's callback received a report with this PEC event for the message. */
  async waitForReport(alias: string, kind: PecReceiptKind): Promise<ReportItem> {
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const id = this.world.message(alias).id;
    const event = PEC_EVENT_OF[kind];
    const items = await eventually(
      {
        description: `a ${event} report for "${alias}" at the application's callback (one PEC poll of ${this.pollInterval} s plus ${PEC_MARGIN_S} s); reports about it`,
        timeoutMs: this.receiptDeadlineMs,
        intervalMs: 500,
      },
      () => receiver.itemsFor(id).map(({ item }) => item),
      (list) => list.some((i) => i.pec_event === event),
    );
    return items.find((i) => i.pec_event === event)!;
  }

  /** The account as read back, with its PEC defaults. */
  async assertIsPecAccount(accountId: string, expected: Partial<Account>): Promise<void> {
    const account = await this.world.proxy.accounts.get(this.world.tenantId!, accountId);
    expect(account, `the account ${accountId} as read back`).to.deep.include({ is_pec_account: true, ...expected });
    expect(await this.world.proxy.accounts.pecIds(), 'the ids of PEC accounts').to.include(accountId);
    expect((await this.world.proxy.accounts.listPec()).map((a) => a.id), 'the PEC accounts listed').to.include(accountId);
  }
}
