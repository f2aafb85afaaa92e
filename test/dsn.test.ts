/**
 * The bounces and PEC receipts the suite injects are realistic for this proxy:
 *  - each is valid MIME, parsed back with mailparser, with the structure RFC 3464 asks;
 *  - contract check: the SUT's own BounceParser and PecReceiptParser, run by the
 *    installed SUT's Python, classify each one as intended and find the original.
 * Needs `npm run setup` (the SUT's venv and source).
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { simpleParser, type Attachment } from 'mailparser';
import { readInstalledStack } from '../support/base/config.js';
import { BOUNCE_KINDS, composeBounce, composeOutOfOffice, expectedVerdict, type OriginalMail } from '../support/mail/bounce-mails.js';
import { bouncePollInterval, pecPollInterval } from '../support/base/timeouts.js';
import { composePecReceipt, NON_ACCEPTANCE_REASON, NON_DELIVERY_REASON, PEC_RECEIPT_KINDS } from '../support/mail/pec-receipts.js';

const run = promisify(execFile);

const original: OriginalMail = {
  sender: 'billing.s1test@example.test',
  recipient: 'unknown-user.s1test@example.test',
  subject: 'Your invoice is ready',
  messageId: '<invoice.s1test@example.test>',
  genroMailId: 'invoice-s1test',
};
const withoutTracking: OriginalMail = { ...original, genroMailId: undefined };

/** Runs the SUT's parsers on each raw mail, through the installed SUT's Python. */
async function sutParse(parser: 'bounce' | 'pec', raws: Buffer[]): Promise<Record<string, unknown>[]> {
  const installed = readInstalledStack();
  assert.ok(installed, 'the local stack is not installed: run `npm run setup` first (the contract check needs the SUT)');
  const script = `
import base64, dataclasses, json, sys
from enterprise.mail_proxy.bounce.parser import BounceParser
from enterprise.mail_proxy.pec.parser import PecReceiptParser
parser = BounceParser() if sys.argv[1] == 'bounce' else PecReceiptParser()
print(json.dumps([dataclasses.asdict(parser.parse(base64.b64decode(line))) for line in sys.stdin.read().split()]))
`;
  const child = run(installed.sut.python, ['-c', script, parser], { env: { ...process.env, PYTHONPATH: installed.sut.src } });
  child.child.stdin!.end(raws.map((r) => r.toString('base64')).join('\n'));
  const { stdout } = await child;
  return JSON.parse(stdout) as Record<string, unknown>[];
}

function part(attachments: Attachment[], contentType: string): Attachment {
  const found = attachments.find((a) => a.contentType === contentType);
  assert.ok(found, `a ${contentType} part (parts: ${attachments.map((a) => a.contentType).join(', ')})`);
  return found;
}

describe('bounces', () => {
  for (const kind of BOUNCE_KINDS) {
    test(`the ${kind} bounce is valid MIME that refers to the original`, async () => {
      const { raw, messageId } = await composeBounce(kind, original);
      const mail = await simpleParser(raw, { keepDeliveryStatus: true });
      assert.equal(mail.messageId, messageId);
      assert.match(mail.from?.text ?? '', /MAILER-DAEMON@/);
      assert.equal(mail.headers.get('auto-submitted'), 'auto-replied');
      const verdict = expectedVerdict(kind, original);
      if (kind === 'plain') {
        assert.equal(mail.headers.get('content-type') && (mail.headers.get('content-type') as { value: string }).value, 'text/plain');
        assert.equal(mail.attachments.length, 0);
        assert.ok(mail.text?.includes(verdict.diagnostic), mail.text);
        assert.ok(mail.text?.includes(`Message-ID: ${original.messageId}`));
        assert.ok(mail.text?.includes(`X-Genro-Mail-ID: ${original.genroMailId}`));
        return;
      }
      const contentType = mail.headers.get('content-type') as { value: string; params: Record<string, string> };
      assert.equal(contentType.value, 'multipart/report');
      assert.equal(contentType.params['report-type'], 'delivery-status');
      assert.match(mail.text ?? '', /This is the mail system/);
      const status = part(mail.attachments, 'message/delivery-status').content.toString();
      assert.match(status, /^Reporting-MTA: dns; /m);
      assert.match(status, new RegExp(`^Final-Recipient: rfc822; ${original.recipient}$`, 'm'));
      assert.match(status, new RegExp(`^Status: ${kind === 'hard' ? '5\\.1\\.1' : kind === 'soft' ? '4\\.2\\.2' : '5\\.2\\.2'}$`, 'm'));
      assert.match(status, new RegExp(`^Action: ${kind === 'soft' ? 'delayed' : 'failed'}$`, 'm'));
      assert.ok(status.includes(`Diagnostic-Code: smtp; ${verdict.diagnostic}`), status);
      const headers = part(mail.attachments, 'text/rfc822-headers').content.toString();
      assert.match(headers, new RegExp(`^Message-ID: ${original.messageId}$`, 'm'));
      assert.match(headers, new RegExp(`^X-Genro-Mail-ID: ${original.genroMailId}$`, 'm'));
    });
  }

  test('without a tracking header the bounce refers to the original by Message-ID only', async () => {
    const { raw } = await composeBounce('hard', withoutTracking);
    const mail = await simpleParser(raw, { keepDeliveryStatus: true });
    const headers = part(mail.attachments, 'text/rfc822-headers').content.toString();
    assert.match(headers, /^Message-ID: <invoice\.s1test@example\.test>$/m);
    assert.doesNotMatch(headers, /X-Genro-Mail-ID/i);
  });

  test("contract: the SUT's BounceParser classifies every kind as intended", async () => {
    const composed = await Promise.all(BOUNCE_KINDS.map((kind) => composeBounce(kind, original)));
    const parsed = await sutParse('bounce', composed.map((c) => c.raw));
    BOUNCE_KINDS.forEach((kind, i) => {
      const verdict = expectedVerdict(kind, original);
      const info = parsed[i]!;
      assert.deepEqual(
        { type: info.bounce_type, code: info.bounce_code, recipient: info.recipient, original: info.original_message_id },
        { type: verdict.type, code: verdict.code, recipient: original.recipient, original: original.genroMailId },
        `${kind}: ${JSON.stringify(info)}`,
      );
      if (kind === 'plain') assert.ok(String(info.bounce_reason).includes(verdict.diagnostic), `${kind}: ${String(info.bounce_reason)}`);
      else assert.equal(info.bounce_reason, verdict.diagnostic, kind);
    });
  });

  test("contract: the SUT's BounceParser finds no bounce in an out-of-office reply", async () => {
    const { raw } = await composeOutOfOffice(original);
    const mail = await simpleParser(raw);
    assert.equal(mail.inReplyTo, original.messageId);
    // The original it returns carries the tracking header, for a proxy to find if it took the reply for a bounce.
    const attached = await simpleParser(part(mail.attachments, 'message/rfc822').content);
    assert.equal(attached.headers.get('x-genro-mail-id'), original.genroMailId);
    const [info] = await sutParse('bounce', [raw]);
    assert.deepEqual(info, { original_message_id: null, bounce_type: null, bounce_code: null, bounce_reason: null, recipient: null });
  });
});

describe('PEC receipts', () => {
  const expectedType = {
    accettazione: 'accettazione',
    consegna: 'consegna',
    'mancata consegna': 'mancata_consegna',
    'non accettazione': 'non_accettazione',
    'presa in carico': 'presa_in_carico',
  } as const;
  const expectedError: Record<string, string | null> = { 'mancata consegna': NON_DELIVERY_REASON, 'non accettazione': NON_ACCEPTANCE_REASON };

  for (const kind of PEC_RECEIPT_KINDS) {
    test(`the ${kind} receipt is valid MIME with the PEC headers and the original attached`, async () => {
      const { raw } = await composePecReceipt(kind, original);
      const mail = await simpleParser(raw);
      assert.equal(mail.headers.get('x-riferimento-message-id'), original.messageId);
      assert.equal(mail.headers.get('x-trasporto'), 'posta-certificata');
      assert.ok(part(mail.attachments, 'application/xml').content.toString().includes(`<msgid>${original.messageId}</msgid>`));
      const attached = await simpleParser(part(mail.attachments, 'message/rfc822').content);
      assert.equal(attached.messageId, original.messageId);
      assert.equal(attached.headers.get('x-genro-mail-id'), original.genroMailId);
    });
  }

  test("contract: the SUT's PecReceiptParser reads every kind as intended", async () => {
    const composed = await Promise.all(PEC_RECEIPT_KINDS.map((kind) => composePecReceipt(kind, original)));
    const parsed = await sutParse('pec', composed.map((c) => c.raw));
    PEC_RECEIPT_KINDS.forEach((kind, i) => {
      const info = parsed[i]!;
      assert.deepEqual(
        { type: info.receipt_type, original: info.original_message_id, recipient: info.recipient, error: info.error_reason },
        { type: expectedType[kind], original: original.genroMailId, recipient: original.recipient, error: expectedError[kind] ?? null },
        `${kind}: ${JSON.stringify(info)}`,
      );
    });
  });
});

describe('poll intervals that set the bounce and PEC deadlines', () => {
  test('defaults: 1 s for the bounce mailbox (configured by the suite), 60 s for PEC (fixed in the SUT)', () => {
    assert.equal(bouncePollInterval({}), 1);
    assert.equal(pecPollInterval({}), 60);
    assert.equal(bouncePollInterval({ SUITE_BOUNCE_POLL_INTERVAL: '3' }), 3);
    assert.equal(pecPollInterval({ SUITE_PEC_POLL_INTERVAL: ' ' }), 60);
  });

  test('anything but a whole number of seconds is refused, naming the variable', () => {
    assert.throws(() => bouncePollInterval({ SUITE_BOUNCE_POLL_INTERVAL: '0.5' }), /SUITE_BOUNCE_POLL_INTERVAL=0\.5 must be a whole number of seconds/);
    assert.throws(() => pecPollInterval({ SUITE_PEC_POLL_INTERVAL: 'soon' }), /SUITE_PEC_POLL_INTERVAL=soon/);
  });
});
