/**
 * Over 300 lines on purpose: the one world object of the bounce features: the mailbox, the injected bounces and every check of how the proxy records and reports them.
 *
 * Bounce handling for one scenario: the proxy's bounce mailbox (an IMAP user of the
 * scenario's own on the stack's Dovecot), the bounce configuration set through the API,
 * and the bounces injected into that mailbox for the scenario's delivered messages.
 *
 * Deadlines derive from the configured poll interval (support/base/timeouts.ts): a bounce
 * must be seen within BOUNCE_POLLS polls.
 */
import { expect } from 'chai';
import { deliveredOriginal, headerValues } from '../mail/mail-expectations.js';
import { BOUNCE_KINDS, composeBounce, composeOutOfOffice, expectedVerdict, type BounceKind, type BounceVerdict, type OriginalMail } from '../mail/bounce-mails.js';
import { BOUNCE_POLLS, bouncePollInterval } from '../base/timeouts.js';
import { consistently, eventually } from '../base/eventually.js';
import { CallbackReceiver, type ReportItem } from '../partners/callback-receiver.js';
import { isSeen, ScenarioMailboxes, type AppendedMail, type ImapMailbox, type MailState } from '../clients/imap-mailbox.js';
import type { HistoryEvent } from '../clients/proxy-api.js';
import { MAIL_DOMAIN, type GenroWorld } from '../cucumber/world.js';

/** A bounce as the proxy records it in the message history (docs/sut-0.7.0.md, "What the scenarios read back"). */
export interface RecordedBounce {
  type: unknown;
  code: unknown;
  reason: string | null;
}

function describeEvent(event: HistoryEvent): string {
  if (event.event_type !== 'bounce') return event.event_type;
  const meta = event.metadata ?? {};
  return `bounce ${String(meta.bounce_type)} ${String(meta.bounce_code)}: ${event.description ?? ''}`;
}

export class Bounces {
  readonly pollInterval = bouncePollInterval();
  /** Injected mails, by the name the feature gives them. */
  readonly injected = new Map<string, AppendedMail & { verdict?: BounceVerdict; at: number; before: HistoryEvent[] | undefined }>();

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): Bounces {
    return new Bounces(world);
  }

  get mailbox(): ImapMailbox {
    return this.world.use(ScenarioMailboxes.forScenario).mailbox('bounces');
  }

  /** BOUNCE_POLLS poll intervals. */
  get detectionDeadlineMs(): number {
    return BOUNCE_POLLS * this.pollInterval * 1000;
  }

  /** Points the proxy's bounce detection at the scenario's mailbox, through the API, and applies it. */
  async configure(): Promise<void> {
    const imap = this.mailbox.forProxy;
    const api = this.world.proxy;
    await api.instance.setBounceConfig({
      enabled: true,
      imap_host: imap.host,
      imap_port: imap.port,
      imap_user: imap.user,
      imap_password: imap.password,
      imap_folder: 'INBOX',
      imap_ssl: imap.ssl,
      poll_interval: this.pollInterval,
    });
    this.world.teardown.push('switch bounce detection off', async () => {
      await api.instance.setBounceConfig({ enabled: false });
      await api.instance.reloadBounce();
    });
    const reloaded = await api.instance.reloadBounce();
    expect(reloaded, 'the answer of /instance/reload_bounce').to.deep.include({ ok: true, enabled: true });
  }

  /** The stored configuration reads back as set, without the password. */
  async assertConfigured(): Promise<void> {
    const imap = this.mailbox.forProxy;
    const config = await this.world.proxy.instance.getBounceConfig();
    expect(config, 'the bounce configuration read back').to.deep.include({
      ok: true,
      enabled: true,
      imap_host: imap.host,
      imap_port: imap.port,
      imap_user: imap.user,
      imap_folder: 'INBOX',
      imap_ssl: false,
      poll_interval: this.pollInterval,
    });
    expect(config, 'the bounce configuration read back').not.to.have.property('imap_password');
  }

  /** The scenario's delivered mail, as the bounce will quote it (sent back to its Return-Path, if it has one). */
  async original(alias: string): Promise<OriginalMail> {
    const { original, written } = await deliveredOriginal(this.world, alias, 'a bounce');
    const returnPath = this.world.message(alias).return_path;
    return { ...original, sender: returnPath ?? original.sender, headers: written.map((h) => `${h.name}: ${h.value}`).join('\r\n') };
  }

  /** A message the proxy never sent, for bounces that refer to nothing it knows. */
  unknownOriginal(): OriginalMail {
    return {
      sender: this.world.address('sender'),
      recipient: this.world.address('stranger'),
      subject: 'A message this proxy never sent',
      messageId: `<never-sent.${this.world.sid}@${MAIL_DOMAIN}>`,
      genroMailId: `never-sent-${this.world.sid}`,
    };
  }

  private async append(name: string, composed: { raw: Buffer; messageId: string }, verdict?: BounceVerdict): Promise<void> {
    // The message's history as it was before its bounce arrived (for a bounce about a message of the scenario).
    const before = this.world.messages.has(name) ? await this.history(name) : undefined;
    const at = Date.now();
    const appended = await this.mailbox.append(composed.raw, composed.messageId);
    this.injected.set(name, { ...appended, verdict, at, before });
  }

  /**
   * Puts the mail a feature names in the bounce mailbox: 'a hard bounce for "invoice"' (hard,
   * soft, quota, or plain-text: a bounce with no delivery status part), 'a hard bounce for a
   * message the proxy never sent', or 'an out-of-office reply to "newsletter"'.
   */
  async arrives(mail: string): Promise<void> {
    const reply = /^an out-of-office reply to "([^"]*)"$/.exec(mail);
    const bounce = /^an? ([\w-]+) bounce for (?:"([^"]*)"|(a message the proxy never sent))$/.exec(mail);
    if (reply) return this.injectOutOfOffice(reply[1]!, 'the out-of-office reply');
    if (!bounce) throw new Error(`no mail "${mail}" for the bounce mailbox`);
    const kind = (bounce[1] === 'plain-text' ? 'plain' : bounce[1]) as BounceKind;
    if (!BOUNCE_KINDS.includes(kind)) throw new Error(`no bounce kind "${bounce[1]}": use hard, soft, quota or plain-text`);
    if (bounce[3]) return this.injectBounceForUnknownMessage(kind, 'the bounce for the unknown message');
    return this.injectBounce(kind, bounce[2]!);
  }

  /** Puts a bounce of `kind` for the delivered mail `alias` in the bounce mailbox. */
  async injectBounce(kind: BounceKind, alias: string): Promise<void> {
    const original = await this.original(alias);
    await this.append(alias, await composeBounce(kind, original), expectedVerdict(kind, original));
  }

  async injectBounceForUnknownMessage(kind: BounceKind, name: string): Promise<void> {
    const original = this.unknownOriginal();
    await this.append(name, await composeBounce(kind, original), expectedVerdict(kind, original));
  }

  /** Puts an out-of-office reply to the delivered mail `alias` in the bounce mailbox. */
  async injectOutOfOffice(alias: string, name: string): Promise<void> {
    await this.append(name, await composeOutOfOffice(await this.original(alias)));
  }

  private mail(name: string): AppendedMail & { verdict?: BounceVerdict; at: number; before: HistoryEvent[] | undefined } {
    const mail = this.injected.get(name);
    if (!mail) throw new Error(`nothing named "${name}" was put in the bounce mailbox (known: ${[...this.injected.keys()].join(', ') || 'none'})`);
    return mail;
  }

  verdict(name: string): BounceVerdict {
    const { verdict } = this.mail(name);
    if (!verdict) throw new Error(`"${name}" in the bounce mailbox is no bounce`);
    return verdict;
  }

  async mailState(name: string): Promise<MailState> {
    return this.mailbox.state(this.mail(name).messageId);
  }

  /** Waits until the proxy has read the mail (IMAP \Seen: a working poller FETCHes it). */
  async waitUntilRead(name: string): Promise<void> {
    await eventually(
      {
        description: `the proxy to read "${name}" in its bounce mailbox (${BOUNCE_POLLS} polls of ${this.pollInterval} s)`,
        timeoutMs: this.detectionDeadlineMs,
        intervalMs: 250,
      },
      () => this.mailState(name),
      (state) => isSeen(state),
    );
  }

  async history(alias: string): Promise<HistoryEvent[]> {
    return (await this.world.record(alias, true)).history ?? [];
  }

  /** Waits for the bounce event on the message and returns what it recorded. */
  async waitForBounce(alias: string): Promise<RecordedBounce> {
    await eventually(
      {
        description: `a bounce recorded on the message "${alias}" (${BOUNCE_POLLS} polls of ${this.pollInterval} s); the events in its history`,
        timeoutMs: this.detectionDeadlineMs,
        intervalMs: 250,
      },
      async () => (await this.history(alias)).map(describeEvent),
      (events) => events.some((e) => e.startsWith('bounce')),
    );
    const bounce = (await this.history(alias)).find((e) => e.event_type === 'bounce')!;
    return { type: bounce.metadata?.bounce_type, code: bounce.metadata?.bounce_code, reason: bounce.description };
  }

  /**
   * The bounce is recorded once: after waiting for it, two more polls bring no other; it
   * comes after the message's 'sent' event, which is as it was before the bounce arrived,
   * and its time (bounce_ts) is no earlier than the bounce's arrival. Returns what it recorded.
   */
  async assertBounceRecordedOnce(alias: string): Promise<RecordedBounce & { at: number }> {
    const recorded = await this.waitForBounce(alias);
    await consistently(
      { description: `one bounce on the message "${alias}" (events in its history)`, timeoutMs: 2 * this.pollInterval * 1000, intervalMs: 250 },
      async () => (await this.history(alias)).map(describeEvent),
      (events) => events.filter((e) => e.startsWith('bounce')).length === 1,
    );
    const history = [...(await this.history(alias))].sort((a, b) => a.event_id - b.event_id);
    const { before, at } = this.mail(alias);
    const sentBefore = (before ?? []).filter((e) => e.event_type === 'sent');
    const strip = (e: HistoryEvent) => ({ event_id: e.event_id, event_type: e.event_type, event_ts: e.event_ts, description: e.description });
    expect(history.filter((e) => e.event_type === 'sent').map(strip), `the 'sent' event of "${alias}", against before its bounce`).to.deep.equal(sentBefore.map(strip));
    const bounce = history.find((e) => e.event_type === 'bounce')!;
    expect(history.indexOf(bounce), `the bounce of "${alias}" after its 'sent' event: ${JSON.stringify(history.map(describeEvent))}`).to.be.greaterThan(history.findIndex((e) => e.event_type === 'sent'));
    expect(bounce.event_ts, `bounce_ts of "${alias}" against the arrival of its bounce (${new Date(at).toISOString()})`).to.be.at.least(Math.floor(at / 1000));
    return { ...recorded, at: bounce.event_ts };
  }

  /**
   * The bounce recorded on the message (its text and its details, as /messages/list shows
   * them) names the recipient that bounced and the remote mail server that refused it, as the
   * bounce's delivery status part gives them (Final-Recipient, Remote-MTA: mail.<domain>).
   */
  async assertBounceNamesRecipientAndRemote(alias: string): Promise<void> {
    await this.assertBounceRecordedOnce(alias);
    const bounce = (await this.history(alias)).find((e) => e.event_type === 'bounce')!;
    const recorded = JSON.stringify({ description: bounce.description, metadata: bounce.metadata });
    const to = this.world.message(alias).to;
    const recipient = (Array.isArray(to) ? to[0] : to)!;
    const remote = `mail.${recipient.split('@')[1]}`;
    expect({ recipient: recorded.includes(recipient), remoteServer: recorded.includes(remote) }, `the bounce recorded on "${alias}" (${recorded}) names ${recipient} and ${remote}`)
      .to.deep.equal({ recipient: true, remoteServer: true });
  }

  /** For a whole poll interval: the message is sent, with no bounce in its history. */
  async assertNoBounce(alias: string): Promise<void> {
    await consistently(
      { description: `the message "${alias}" sent with no bounce in its history (events in its history, status)`, timeoutMs: this.pollInterval * 1000, intervalMs: 250 },
      async () => ({ events: (await this.history(alias)).map(describeEvent), status: (await this.world.status(alias)).fromList }),
      (seen) => seen.status === 'sent' && seen.events.includes('sent') && !seen.events.some((e) => e.startsWith('bounce')),
    );
  }

  /**
   * The mail as the proxy wrote it carries exactly one tracking header, X-Genro-Mail-ID,
   * whose value is the application's id of the message: bounces and PEC receipts are
   * matched to their message by it (docs/features.rst, "Bounce Detection"; docs/pec.rst,
   * "Message Correlation").
   */
  async assertTrackingMark(alias: string): Promise<void> {
    const mail = await this.world.deliveredMail(alias);
    const written = await this.world.mailpit.writtenHeaders(mail.ID);
    expect(headerValues(written, 'X-Genro-Mail-ID'), `the tracking header of the mail "${alias}" as written by the proxy (it has: ${written.map((h) => h.name).join(', ')})`)
      .to.deep.equal([this.world.message(alias).id]);
  }

  /** Waits until the message shows the status "bounced" in its details and in the message list. */
  async waitForBouncedStatus(alias: string): Promise<void> {
    await eventually(
      {
        description: `the message "${alias}" to show as bounced in /messages/get and /messages/list (${BOUNCE_POLLS} polls of ${this.pollInterval} s)`,
        timeoutMs: this.detectionDeadlineMs,
        intervalMs: 250,
      },
      // "bounced" is a status the docs promise and 0.7.0's MessageStatus lacks: compared as text.
      async (): Promise<{ fromGet: string; fromList: string | undefined }> => this.world.status(alias),
      (s) => s.fromGet === 'bounced' && s.fromList === 'bounced',
    );
  }

  /**
   * The message's details and its row in the message list carry the bounce: its type, a
   * reason with the remote server's reply, and a time between the delivery and now.
   */
  async assertBounceFields(alias: string, type: string): Promise<void> {
    const injected = this.verdict(alias);
    const message = this.world.message(alias);
    const [delivered] = await this.world.mailsFor(alias);
    const since = delivered ? Math.floor(Date.parse(delivered.Created) / 1000) - 1 : 0;
    const now = Math.ceil(Date.now() / 1000) + 1;
    const details = (await this.world.proxy.messages.get(message.id, message.tenant_id)) as unknown as Record<string, unknown>;
    const listed = (await this.world.proxy.messages.list(message.tenant_id)).find((m) => m.id === message.id) as unknown as Record<string, unknown> | undefined;
    for (const [where, record] of [['/messages/get', details], ['/messages/list', listed]] as const) {
      const fields = { bounce_type: record?.bounce_type, bounce_reason: record?.bounce_reason, bounce_ts: record?.bounce_ts };
      expect(fields.bounce_type, `bounce_type of "${alias}" in ${where} (bounce fields: ${JSON.stringify(fields)})`).to.equal(type);
      expect(fields.bounce_reason, `bounce_reason of "${alias}" in ${where}`).to.be.a('string').that.includes(injected.diagnostic);
      expect(fields.bounce_ts, `bounce_ts of "${alias}" in ${where}: after the delivery, not in the future`).to.be.a('number').within(since, now);
    }
  }

  /**
   * Waits for the bounce report, then checks, two polls and a report cycle later, that it
   * is the only one: exactly {id, bounce_ts, bounce_type, bounce_code, bounce_reason} with
   * bounce_ts the time of the bounce recorded on the message, besides the one sent report.
   */
  async assertBounceReportedOnce(alias: string): Promise<ReportItem> {
    const item = await this.waitForBounceReport(alias);
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const id = this.world.message(alias).id;
    await receiver.expectNoItemFor(id, 2 * this.pollInterval * 1000 + this.world.quietPeriodMs);
    const items = receiver.itemsFor(id).map(({ item: i }) => i);
    expect(items.filter((i) => 'bounce_type' in i), `the bounce reports for "${alias}"`).to.have.length(1);
    expect(items.filter((i) => 'sent_ts' in i), `the sent reports for "${alias}"`).to.have.length(1);
    expect(Object.keys(item).sort(), `fields of the bounce report ${JSON.stringify(item)}`).to.deep.equal(['bounce_code', 'bounce_reason', 'bounce_ts', 'bounce_type', 'id']);
    const bounce = (await this.history(alias)).find((e) => e.event_type === 'bounce');
    expect(item.bounce_ts, `bounce_ts of the report, against the bounce recorded on "${alias}"`).to.equal(bounce?.event_ts);
    return item;
  }

  /** Waits until the application's callback received a bounce report for the message. */
  async waitForBounceReport(alias: string): Promise<ReportItem> {
    const receiver = this.world.use(CallbackReceiver.forScenario);
    const id = this.world.message(alias).id;
    const items = await eventually(
      {
        description: `a bounce report for "${alias}" at the application's callback (${BOUNCE_POLLS} polls of ${this.pollInterval} s, plus ${this.world.quietPeriodMs} ms to report); reports about it`,
        timeoutMs: this.detectionDeadlineMs + this.world.quietPeriodMs,
        intervalMs: 250,
      },
      () => receiver.itemsFor(id).map(({ item }) => item),
      (list) => list.some((i) => 'bounce_type' in i),
    );
    return items.find((i) => 'bounce_type' in i)!;
  }
}
