/**
 * Bounce mails as a receiving mail system writes them, composed with nodemailer's
 * MailComposer (never by hand):
 *
 *  - RFC 3464 delivery status notifications: `multipart/report; report-type=delivery-status`
 *    with a human-readable part, a `message/delivery-status` part (per-message and
 *    per-recipient fields) and the original's headers as `text/rfc822-headers`;
 *  - a plain-text bounce with no DSN part, as older MTAs send;
 *  - an ordinary mail (an out-of-office reply) that lands in a bounce mailbox but is no bounce.
 *
 * Each one refers to the original by its Message-ID, plus `X-Genro-Mail-ID` when the
 * proxy set one. Pure: no I/O. Checked against the SUT's own BounceParser in
 * test/dsn.test.ts.
 */
import MailComposer from 'nodemailer/lib/mail-composer';

export const BOUNCE_KINDS = ['hard', 'soft', 'quota', 'plain'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];

/** What a bounce says about the delivery: the classification a proxy must read from it. */
export interface BounceVerdict {
  type: 'hard' | 'soft';
  /** The status code as the proxy reports it: the enhanced code without dots (511), or the SMTP reply code (550). */
  code: string;
  /** The remote server's reply, as the Diagnostic-Code (or the plain text) carries it. */
  diagnostic: string;
}

interface KindSpec {
  subject: string;
  action: 'failed' | 'delayed';
  status: string;
  reply: (recipient: string) => string;
  explanation: string;
  verdict: Omit<BounceVerdict, 'diagnostic'>;
}

export const BOUNCE_SPECS: Record<BounceKind, KindSpec> = {
  hard: {
    subject: 'Undelivered Mail Returned to Sender',
    action: 'failed',
    status: '5.1.1',
    reply: (rcpt) => `550 5.1.1 <${rcpt}>: Recipient address rejected: User unknown in virtual mailbox table`,
    explanation: 'I am sorry to have to inform you that your message could not be delivered to one or more recipients.',
    verdict: { type: 'hard', code: '511' },
  },
  soft: {
    subject: 'Delayed Mail (still being retried)',
    action: 'delayed',
    status: '4.2.2',
    reply: (rcpt) => `452 4.2.2 <${rcpt}>: Mailbox temporarily over quota, try again later`,
    explanation: 'Your message could not be delivered for 4 hours. It will be retried until it is 5 days old.',
    verdict: { type: 'soft', code: '422' },
  },
  quota: {
    subject: 'Undelivered Mail Returned to Sender',
    action: 'failed',
    status: '5.2.2',
    reply: (rcpt) => `552 5.2.2 <${rcpt}>: Mailbox full, quota exceeded`,
    explanation: 'I am sorry to have to inform you that your message could not be delivered: the mailbox is full.',
    verdict: { type: 'hard', code: '522' },
  },
  plain: {
    subject: 'Mail delivery failed: returning message to sender',
    action: 'failed',
    status: '5.1.1',
    reply: (rcpt) => `550 5.1.1 <${rcpt}>: No such user here`,
    explanation: 'A message that you sent could not be delivered to one or more of its recipients. This is a permanent error.',
    verdict: { type: 'hard', code: '550' },
  },
};

/** The mail a bounce is about, as the sender wrote it. */
export interface OriginalMail {
  /** The sender the bounce goes back to (Return-Path, or From). */
  sender: string;
  /** The recipient whose delivery failed. */
  recipient: string;
  subject: string;
  /** The original's Message-ID, with its angle brackets. */
  messageId: string;
  /** The proxy's tracking header, when the original carries one. */
  genroMailId?: string | undefined;
  /** The original's header block as written (CRLF line ends); composed from the fields above when absent. */
  headers?: string | undefined;
}

export interface ComposedMail {
  raw: Buffer;
  /** The Message-ID of the composed mail itself, with its angle brackets. */
  messageId: string;
}

const REPORTING_MTA = 'mx.bounces.example.test';

/** The original's header block: the one given, or the essential headers rebuilt from its fields. */
export function originalHeaderBlock(original: OriginalMail): string {
  const block = original.headers
    ?? [
      `From: ${original.sender}`,
      `To: ${original.recipient}`,
      `Subject: ${original.subject}`,
      `Message-ID: ${original.messageId}`,
      ...(original.genroMailId ? [`X-Genro-Mail-ID: ${original.genroMailId}`] : []),
    ].join('\r\n');
  return `${block.replace(/(\r?\n)+$/, '').replace(/\r?\n/g, '\r\n')}\r\n`;
}

function arrivalDate(): string {
  return new Date().toUTCString().replace('GMT', '+0000');
}

async function build(composer: MailComposer, contentType?: string): Promise<ComposedMail> {
  const node = composer.compile();
  if (contentType) node.setHeader('Content-Type', contentType);
  const raw = await node.build();
  const messageId = node.messageId();
  return { raw, messageId };
}

/** The fields of the message/delivery-status part (RFC 3464 §2.2 and §2.3). */
export function deliveryStatusFields(kind: Exclude<BounceKind, 'plain'>, original: OriginalMail): string {
  const spec = BOUNCE_SPECS[kind];
  return [
    `Reporting-MTA: dns; ${REPORTING_MTA}`,
    `Arrival-Date: ${arrivalDate()}`,
    '',
    `Final-Recipient: rfc822; ${original.recipient}`,
    `Original-Recipient: rfc822; ${original.recipient}`,
    `Action: ${spec.action}`,
    `Status: ${spec.status}`,
    `Remote-MTA: dns; mail.${original.recipient.split('@')[1] ?? 'example.test'}`,
    `Diagnostic-Code: smtp; ${spec.reply(original.recipient)}`,
    ...(spec.action === 'delayed' ? [`Will-Retry-Until: ${new Date(Date.now() + 5 * 86_400_000).toUTCString().replace('GMT', '+0000')}`] : []),
    '',
  ].join('\r\n');
}

/** What the proxy must conclude from a bounce of this kind about this original. */
export function expectedVerdict(kind: BounceKind, original: Pick<OriginalMail, 'recipient'>): BounceVerdict {
  const spec = BOUNCE_SPECS[kind];
  return { ...spec.verdict, diagnostic: spec.reply(original.recipient) };
}

/** A bounce of the given kind for `original`, from the mailer daemon back to its sender. */
export async function composeBounce(kind: BounceKind, original: OriginalMail): Promise<ComposedMail> {
  const spec = BOUNCE_SPECS[kind];
  const headers = originalHeaderBlock(original);
  const common = {
    from: `Mail Delivery System <MAILER-DAEMON@${REPORTING_MTA}>`,
    to: original.sender,
    subject: spec.subject,
    headers: { 'Auto-Submitted': 'auto-replied' },
  };
  if (kind === 'plain') {
    const text = [
      'This message was created automatically by mail delivery software.',
      '',
      `${spec.explanation} The following address(es) failed:`,
      '',
      `  ${original.recipient}`,
      `    SMTP error from remote mail server after RCPT TO:<${original.recipient}>:`,
      `    ${spec.reply(original.recipient)}`,
      '',
      "------ This is a copy of the message's headers. ------",
      '',
      headers,
    ].join('\n');
    return build(new MailComposer({ ...common, text }));
  }
  const human = [
    `This is the mail system at host ${REPORTING_MTA}.`,
    '',
    spec.explanation,
    '',
    `<${original.recipient}>: host mail.${original.recipient.split('@')[1] ?? 'example.test'} said: ${spec.reply(original.recipient)}`,
    '',
  ].join('\n');
  return build(
    new MailComposer({
      ...common,
      text: human,
      attachments: [
        {
          contentType: 'message/delivery-status',
          content: deliveryStatusFields(kind, original),
          contentTransferEncoding: '7bit',
          contentDisposition: 'inline',
          filename: false,
        },
        {
          contentType: 'text/rfc822-headers',
          content: headers,
          contentTransferEncoding: '7bit',
          contentDisposition: 'inline',
          filename: false,
        },
      ],
    }),
    'multipart/report; report-type=delivery-status',
  );
}

/**
 * A mail that reaches the bounce mailbox but is no bounce: an out-of-office reply. Like
 * the auto-responders that return what they answer, it carries the original's headers
 * (its tracking header too) as an attached message, so that a proxy that took any mail
 * for a bounce would find the message it refers to, and record a bounce on it.
 */
export async function composeOutOfOffice(original: OriginalMail): Promise<ComposedMail> {
  return build(
    new MailComposer({
      from: original.recipient,
      to: original.sender,
      subject: `Automatic reply: ${original.subject}`,
      inReplyTo: original.messageId,
      references: original.messageId,
      headers: { 'Auto-Submitted': 'auto-replied' },
      text: 'Thank you for your message. I am out of the office until Monday and will answer when I am back.\n',
      attachments: [
        {
          filename: 'original.eml',
          contentType: 'message/rfc822',
          contentDisposition: 'attachment',
          content: `${originalHeaderBlock(original)}\r\n(the message as received)\r\n`,
        },
      ],
    }),
  );
}
