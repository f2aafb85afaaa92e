/**
 * Translation between the tables in the features and the API's shapes:
 *  - a message table (field | value, in product words: "reply-to", "content type",
 *    "Message-ID", "header X-Order") becomes an add_batch item;
 *  - an expectation table is checked against a delivered mail.
 * Names of people are resolved to the scenario's own addresses by the world.
 */
import { expect } from 'chai';
import type { MailAddress, MailMessage, MailSummary, WrittenHeader } from '../clients/mailpit.js';
import type { OriginalMail } from './bounce-mails.js';
import type { OutgoingMessage } from '../clients/proxy-api.js';
import { MAIL_DOMAIN, type GenroWorld } from '../cucumber/world.js';

/** A caller-given Message-ID in a feature ("order-1042") made unique to the scenario. */
export function scenarioMessageId(world: GenroWorld, text: string): string {
  return `<${text}.${world.sid}@${MAIL_DOMAIN}>`;
}

export function messageFromTable(world: GenroWorld, alias: string, rows: [string, string][]): OutgoingMessage {
  const fields: Partial<OutgoingMessage> = {};
  const headers: Record<string, string> = {};
  for (const [rawKey, value] of rows) {
    const key = rawKey.trim();
    if (key.startsWith('header ')) {
      headers[key.slice('header '.length).trim()] = value;
      continue;
    }
    // Product words, as the features write them; the API's field names are not accepted here.
    switch (key.toLowerCase()) {
      case 'from': fields.from = world.resolveAddress(value); break;
      case 'to': fields.to = world.resolveAddressList(value); break;
      case 'cc': fields.cc = world.resolveAddressList(value); break;
      case 'bcc': fields.bcc = world.resolveAddressList(value); break;
      case 'reply-to': fields.reply_to = world.resolveAddress(value); break;
      case 'return path': fields.return_path = world.address(value); break;
      case 'subject': fields.subject = value; break;
      case 'body': fields.body = value; break;
      case 'content type': fields.content_type = value as 'plain' | 'html'; break;
      case 'message-id': fields.message_id = scenarioMessageId(world, value); break;
      case 'priority': fields.priority = Number(value); break;
      case 'batch': fields.batch_code = world.batchCode(value); break;
      default: throw new Error(`unknown message field "${key}" in the feature's table`);
    }
  }
  if (Object.keys(headers).length > 0) fields.headers = headers;
  return world.draft(alias, fields);
}

function addresses(list: MailAddress[] | null | undefined): string[] {
  return (list ?? []).map((a) => a.Address.toLowerCase()).sort();
}

function parseNamed(text: string): { name: string; address: string } {
  const m = text.match(/^(.*)<([^>]+)>\s*$/);
  return m ? { name: m[1]!.trim(), address: m[2]!.trim().toLowerCase() } : { name: '', address: text.trim().toLowerCase() };
}

export function headerValues(headers: WrittenHeader[], name: string): string[] {
  return headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
}

/**
 * The delivered mail of a scenario's message, as a bounce or a PEC receipt refers to it
 * (`refersBy` names which, for the error when the mail has no Message-ID).
 */
export async function deliveredOriginal(world: GenroWorld, alias: string, refersBy: string): Promise<{ original: OriginalMail; mail: MailMessage; written: WrittenHeader[] }> {
  const message = world.message(alias);
  const mail = await world.deliveredMail(alias);
  const written = await world.mailpit.writtenHeaders(mail.ID);
  const [messageId] = headerValues(written, 'Message-ID');
  if (!messageId) throw new Error(`the mail "${alias}" as delivered has no Message-ID, so ${refersBy} cannot refer to it`);
  const original = {
    sender: mail.From?.Address ?? message.from,
    recipient: mail.To[0]?.Address ?? String(message.to),
    subject: mail.Subject,
    messageId,
    genroMailId: headerValues(written, 'X-Genro-Mail-ID')[0],
  };
  return { original, mail, written };
}

/** Checks each row of an expectation table against the delivered mail. */
export function expectMail(world: GenroWorld, mail: MailMessage, written: WrittenHeader[], rows: [string, string][]): void {
  for (const [rawKey, value] of rows) {
    const key = rawKey.trim().toLowerCase();
    const where = `mail "${mail.Subject}", ${key}`;
    switch (key) {
      case 'from': {
        const expected = parseNamed(world.resolveAddress(value));
        expect(mail.From?.Address.toLowerCase(), `${where}: address`).to.equal(expected.address);
        expect(mail.From?.Name ?? '', `${where}: display name`).to.equal(expected.name);
        break;
      }
      case 'to':
        expect(addresses(mail.To), where).to.deep.equal(world.resolveAddressList(value).map((a) => parseNamed(a).address).sort());
        break;
      case 'cc':
        expect(addresses(mail.Cc), where).to.deep.equal(world.resolveAddressList(value).map((a) => parseNamed(a).address).sort());
        break;
      case 'reply-to':
        expect(addresses(mail.ReplyTo), where).to.deep.equal([parseNamed(world.resolveAddress(value)).address]);
        break;
      case 'envelope sender':
        // The sink's Return-Path: the address the proxy gave in MAIL FROM, where bounces go.
        expect(mail.ReturnPath.replace(/^<|>$/g, '').toLowerCase(), `${where} (the MAIL FROM the sink received)`).to.equal(parseNamed(world.resolveAddress(value)).address);
        break;
      case 'subject':
        expect(mail.Subject, where).to.equal(value);
        break;
      case 'body':
        expect(mail.Text.trim(), where).to.equal(value);
        break;
      case 'html':
        expect(mail.HTML.trim(), where).to.equal(value);
        break;
      case 'content type': {
        const [contentType] = headerValues(written, 'Content-Type');
        expect(contentType, `${where}: the Content-Type header written by the proxy`).to.match(new RegExp(`^${value}\\b`, 'i'));
        break;
      }
      default:
        throw new Error(`unknown expectation "${rawKey}" in the feature's table`);
    }
  }
}

/** RFC 5322 section 3.3 date-time (day of week optional; "GMT" and "UT" of the obsolete zones accepted). */
const RFC5322_DATE = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT)$/;
/** RFC 5322 section 3.6.4 msg-id: <id-left@id-right>. */
const MSG_ID = /^<[^<>@\s]+@[^<>@\s]+>$/;
/** How long before the sink received a mail its Date may lie: the proxy dates it when it builds it, just before sending. */
const DATE_BEFORE_RECEIPT_S = 30;

/**
 * The one Date header the proxy wrote: an RFC 5322 date-time, set when the proxy sent the
 * mail (no later than the sink received it, at most DATE_BEFORE_RECEIPT_S before).
 */
export function expectSendDate(mail: MailSummary, written: WrittenHeader[]): void {
  const dates = headerValues(written, 'Date');
  expect(dates, `Date headers of the mail "${mail.Subject}" as written by the proxy`).to.have.length(1);
  const [date] = dates as [string];
  expect(date, `the Date header of "${mail.Subject}"`).to.match(RFC5322_DATE);
  const dated = Date.parse(date) / 1000;
  const received = Date.parse(mail.Created) / 1000;
  // The Date header has whole seconds: one second of rounding.
  expect(dated, `the Date header of "${mail.Subject}" (${date}) against the time the sink received it (${mail.Created})`)
    .to.be.within(received - DATE_BEFORE_RECEIPT_S, received + 1);
}

/** The one Message-ID header the proxy wrote, of the form <unique-id@domain>; returns it. */
export function expectMessageIdForm(mail: { Subject: string }, written: WrittenHeader[]): string {
  const ids = headerValues(written, 'Message-ID');
  expect(ids, `Message-ID headers of the mail "${mail.Subject}" as written by the proxy`).to.have.length(1);
  expect(ids[0], `the Message-ID header of "${mail.Subject}"`).to.match(MSG_ID);
  return ids[0]!;
}

/** The delivered mail is the message as the application submitted it: sender, recipients, subject and body. */
export function expectAsSubmitted(world: GenroWorld, alias: string, mail: MailMessage): void {
  const message = world.message(alias);
  const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : value.split(',')).map((a) => parseNamed(a).address).sort();
  const from = parseNamed(message.from);
  expect(
    { from: mail.From?.Address.toLowerCase(), to: addresses(mail.To), cc: addresses(mail.Cc), subject: mail.Subject, body: mail.Text.trim() },
    `the mail "${alias}" against the message as submitted`,
  ).to.deep.equal({ from: from.address, to: list(message.to), cc: list(message.cc), subject: message.subject, body: (message.body ?? '').trim() });
}
