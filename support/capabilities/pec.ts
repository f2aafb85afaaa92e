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
import { CallbackReceiver } from '../partners/callback-receiver.js';
import { deliveredOriginal } from '../mail/mail-expectations.js';
import type { OriginalMail } from '../mail/bounce-mails.js';
import { PEC_MARGIN_S, pecPollInterval } from '../base/timeouts.js';
import { consistently, eventually } from '../base/eventually.js';
import { ScenarioMailboxes, type ImapMailbox } from '../clients/imap-mailbox.js';
import { composePecReceipt, PEC_EVENT_OF, type PecReceiptKind } from '../mail/pec-receipts.js';
import { ScenarioSecrets } from '../base/secrets.js';
import type { GenroWorld } from '../cucumber/world.js';

/** What a PEC event's text or data must say of the receipt it comes from (docs/pec.rst, "PEC Events": the receipt type). */
const RECEIPT_NAMED: Record<PecReceiptKind, RegExp> = {
  accettazione: /accettazione/i,
  consegna: /^(?!.*(?:mancata|errore|accettazione)).*consegna/is,
  'mancata consegna': /mancata|errore/i,
  'non accettazione': /non[ _-]?accettazione/i,
  'presa in carico': /presa[ _-]?in[ _-]?carico/i,
};

/** IMAP over implicit TLS (RFC 8314): the port a PEC account reads its receipts on unless it says otherwise. */
const STANDARD_SECURE_IMAP_PORT = 993;

export class Pec {
  readonly pollInterval = pecPollInterval();
  /** The receipts put in the PEC mailbox, in order, with the time each arrived there (ms). */
  private readonly receipts: { kind: PecReceiptKind; alias: string; recipient: string; at: number }[] = [];
  /** The SMTP login of the account added with only its IMAP host. */
  private smtpLogin: { user: string; password: string } | undefined;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): Pec {
    return new Pec(world);
  }

  /** One poll interval plus PEC_MARGIN_S, both on the proxy's clock, in real ms (a controlled clock may run faster). */
  get receiptDeadlineMs(): number {
    return this.world.proxyClock.realMsFor(this.pollInterval + PEC_MARGIN_S);
  }

  /** The earliest second the proxy's clock may have read when the receipt arrived (real epoch ms). */
  private arrivalOnProxyClock(at: number): number {
    const clock = this.world.proxyClock;
    return Math.floor((clock.at(at) - clock.uncertaintyMs) / 1000);
  }

  /** How long to watch for a repeat: one poll interval plus PEC_MARGIN_S. */
  get watchMs(): number {
    return this.receiptDeadlineMs;
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

  /**
   * The account reads back as PEC, reading the inbox over secure IMAP as its SMTP user. No
   * password is asserted on what is read back: no read may return one (known defect
   * imap-password-returned); that the SMTP password is the one in use shows at the IMAP
   * server instead (addWithSmtpLoginOfMailbox).
   */
  async assertUsualImapSettings(): Promise<void> {
    if (!this.smtpLogin) throw new Error('no PEC account was added with only its IMAP host in this scenario');
    await this.assertIsPecAccount(this.world.accountId!, {
      imap_host: this.world.session.endpoints.imap.forProxy.host, imap_port: STANDARD_SECURE_IMAP_PORT, imap_folder: 'INBOX',
      imap_user: this.smtpLogin.user,
    });
  }

  /**
   * A PEC account on the mail sink whose SMTP login (user and password) is the login of the
   * scenario's PEC mailbox, and which gives of its IMAP settings only where the server is
   * (host and port): no IMAP user, password or folder. Its receipts can be read only with
   * the SMTP login, from INBOX, the defaults of docs/pec.rst ("PEC-specific fields"). It
   * becomes the scenario's account.
   */
  async addWithSmtpLoginOfMailbox(): Promise<void> {
    const tenantId = this.world.tenantId ?? (await this.world.createTenant());
    const sink = this.world.session.endpoints.mailpit.smtpForProxy;
    const { host, port, user, password } = this.mailbox.forProxy;
    const account = await this.world.proxy.accounts.addPec({
      id: `pec-${this.world.sid}`, tenant_id: tenantId, host: sink.host, port: sink.port, use_tls: false,
      user, password, imap_host: host, imap_port: port,
    });
    this.world.accountId = account.id;
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
    this.receipts.push({ kind, alias, recipient: original.recipient, at: Date.now() });
    await this.mailbox.append(receipt.raw, receipt.messageId);
  }

  /** The receipt of `kind` this scenario put in the mailbox for `alias`. */
  private receipt(kind: PecReceiptKind, alias: string): { recipient: string; at: number } {
    const found = this.receipts.find((r) => r.kind === kind && r.alias === alias);
    if (!found) throw new Error(`no "${kind}" receipt for "${alias}" was put in the PEC mailbox in this scenario`);
    return found;
  }

  async history(alias: string): Promise<HistoryEvent[]> {
    return (await this.world.record(alias, true)).history ?? [];
  }

  /**
   * With no receipt at all, the message's history gets exactly one `pec_timeout` event
   * (docs/pec.rst, Timeout Detection), no earlier than `timeoutS` after its 'sent' event,
   * within the timeout plus one PEC poll plus the margin, and no other PEC event for a
   * whole poll after it.
   */
  async assertTimeoutFlagged(alias: string, timeoutS: number): Promise<void> {
    await eventually(
      {
        description: `a pec_timeout event on the message "${alias}" (its acceptance timeout of ${timeoutS} s, then one PEC poll of ${this.pollInterval} s plus ${PEC_MARGIN_S} s on the proxy's clock); the events in its history`,
        timeoutMs: this.world.proxyClock.realMsFor(timeoutS) + this.receiptDeadlineMs,
        intervalMs: 500,
      },
      async () => (await this.history(alias)).map((e) => e.event_type),
      (events) => events.includes('pec_timeout'),
    );
    await consistently(
      { description: `the PEC events of "${alias}" to stay one pec_timeout`, timeoutMs: this.watchMs, intervalMs: 250 },
      async () => (await this.history(alias)).filter((e) => e.event_type.startsWith('pec_')).map((e) => e.event_type),
      (events) => events.length === 1 && events[0] === 'pec_timeout',
    );
    const history = await this.history(alias);
    const sent = history.find((e) => e.event_type === 'sent');
    const timeout = history.find((e) => e.event_type === 'pec_timeout')!;
    expect(sent, `the 'sent' event of "${alias}" (history: ${JSON.stringify(history)})`).to.not.equal(undefined);
    expect(timeout.event_ts, `pec_timeout of "${alias}" against its 'sent' event and the timeout of ${timeoutS} s`).to.be.at.least(sent!.event_ts + timeoutS);
  }

  /**
   * Waits until the message's history holds the PEC event of each receipt kind, then checks
   * that the PEC events are exactly those, one per receipt, in the order the receipts
   * arrived, all after the 'sent' event, each recorded no earlier than its receipt arrived,
   * and each naming its receipt (docs/pec.rst, "PEC Receipt Types" and "PEC Events": the
   * receipt type, and for a delivery or an error the recipient).
   */
  async assertRecordedEvents(alias: string, kinds: PecReceiptKind[], watch: 'a moment' | 'a poll'): Promise<void> {
    const wanted = kinds.map((k) => PEC_EVENT_OF[k]);
    await eventually(
      {
        description: `the PEC events ${wanted.join(', ')} on the message "${alias}" (one PEC poll of ${this.pollInterval} s plus ${PEC_MARGIN_S} s on the proxy's clock); the events in its history`,
        timeoutMs: this.receiptDeadlineMs,
        intervalMs: 500,
      },
      async () => (await this.history(alias)).map((e) => e.event_type),
      (events) => wanted.every((w) => events.includes(w)),
    );
    // A repeat recorded in the same poll shows at once; one recorded at every poll, within the next poll.
    await consistently(
      { description: `the PEC events of "${alias}" to stay as they are`, timeoutMs: watch === 'a poll' ? this.watchMs : this.world.quietPeriodMs, intervalMs: 250 },
      async () => (await this.history(alias)).filter((e) => e.event_type.startsWith('pec_')).length,
      (n) => n === wanted.length,
    );
    const history = [...(await this.history(alias))].sort((a, b) => a.event_id - b.event_id);
    const shown = JSON.stringify(history);
    const pecEvents = history.filter((e) => e.event_type.startsWith('pec_'));
    expect(pecEvents.map((e) => e.event_type), `the PEC events of "${alias}", in the order recorded, one per receipt (history: ${shown})`).to.deep.equal(wanted);
    const sent = history.filter((e) => e.event_type === 'sent');
    expect(sent, `'sent' events of "${alias}"`).to.have.length(1);
    kinds.forEach((kind, i) => {
      const event = pecEvents[i]!;
      const receipt = this.receipt(kind, alias);
      expect(event.event_id, `${event.event_type} of "${alias}" after its 'sent' event (history: ${shown})`).to.be.greaterThan(sent[0]!.event_id);
      expect(event.event_ts, `${event.event_type} time against the arrival of the ${kind} receipt (${new Date(receipt.at).toISOString()}, on the proxy's clock)`)
        .to.be.a('number').and.at.least(this.arrivalOnProxyClock(receipt.at));
      if (i > 0) expect(event.event_ts, `${event.event_type} time against the ${pecEvents[i - 1]!.event_type} before it`).to.be.at.least(pecEvents[i - 1]!.event_ts);
      const data = `${event.description ?? ''} ${JSON.stringify(event.metadata ?? {})}`;
      expect(data, `what ${event.event_type} of "${alias}" says of its receipt`).to.match(RECEIPT_NAMED[kind]);
      if (kind !== 'accettazione') expect(data, `the recipient in ${event.event_type} of "${alias}"`).to.include(receipt.recipient);
    });
  }

  /**
   * Waits until the application's callback received a report of the PEC event of each
   * receipt for the message; then checks they are its only PEC reports, one per receipt in
   * the order of the receipts, each with exactly id, pec_event, pec_ts (the time of its
   * event in the message's history) and pec_details (docs/pec.rst, "Delivery Report
   * Integration"), besides the one sent report; and that the history holds those PEC
   * events and no other, after the 'sent' event.
   */
  async assertReported(alias: string, kinds: PecReceiptKind[], watch: 'a moment' | 'a poll'): Promise<void> {
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const id = this.world.message(alias).id;
    const wanted = kinds.map((k) => PEC_EVENT_OF[k]);
    await eventually(
      {
        description: `a ${wanted.join(', ')} report for "${alias}" at the application's callback (one PEC poll of ${this.pollInterval} s plus ${PEC_MARGIN_S} s on the proxy's clock); reports about it`,
        timeoutMs: this.receiptDeadlineMs,
        intervalMs: 500,
      },
      () => receiver.itemsFor(id).map(({ item }) => item),
      (list) => wanted.every((w) => list.some((i) => i.pec_event === w)),
    );
    // A report repeated at the next poll (a receipt read twice) would show within one poll.
    await receiver.expectNoItemFor(id, watch === 'a poll' ? this.watchMs : this.world.quietPeriodMs);
    const items = receiver.itemsFor(id).map(({ item }) => item);
    const pecItems = items.filter((i) => 'pec_event' in i);
    expect(pecItems.map((i) => i.pec_event), `the PEC reports for "${alias}": ${JSON.stringify(items)}`).to.deep.equal(wanted);
    expect(items.filter((i) => 'sent_ts' in i), `the sent reports for "${alias}"`).to.have.length(1);
    const history = [...(await this.history(alias))].sort((a, b) => a.event_id - b.event_id);
    const types = history.map((e) => e.event_type);
    const pecEvents = history.filter((e) => e.event_type.startsWith('pec_'));
    expect(pecEvents.map((e) => e.event_type), `the PEC events of "${alias}" in ${JSON.stringify(types)}`).to.deep.equal(wanted);
    pecItems.forEach((item, i) => {
      expect(Object.keys(item).sort(), `fields of the PEC report ${JSON.stringify(item)}`).to.deep.equal(['id', 'pec_details', 'pec_event', 'pec_ts']);
      expect(item.pec_ts, `pec_ts of the ${item.pec_event} report, against the time of its event`).to.equal(pecEvents[i]!.event_ts);
      expect(item.pec_ts, `pec_ts of the ${item.pec_event} report, against the arrival of its receipt`).to.be.at.least(this.arrivalOnProxyClock(this.receipt(kinds[i]!, alias).at));
      expect(item.pec_details, `pec_details of the ${item.pec_event} report`).to.be.a('string').and.not.equal('');
      expect(pecEvents[i]!.event_id, `${item.pec_event} after 'sent' in ${JSON.stringify(types)}`).to.be.greaterThan(history.find((e) => e.event_type === 'sent')!.event_id);
    });
  }

  /** The account as read back, with its PEC defaults. */
  async assertIsPecAccount(accountId: string, expected: Partial<Account>): Promise<void> {
    const account = await this.world.proxy.accounts.get(this.world.tenantId!, accountId);
    expect(account, `the account ${accountId} as read back`).to.deep.include({ is_pec_account: true, ...expected });
    expect(await this.world.proxy.accounts.pecIds(), 'the ids of PEC accounts').to.include(accountId);
    expect((await this.world.proxy.accounts.listPec()).map((a) => a.id), 'the PEC accounts listed').to.include(accountId);
  }
}
