/**
 * PEC receipts (ricevute) as an Italian certified-mail provider sends them back to the
 * sender's PEC mailbox, composed with nodemailer's MailComposer: the `X-Ricevuta` and
 * `X-Riferimento-Message-ID` headers, the Italian subject, a human part, the
 * `daticert.xml` certificate data and, for a delivery receipt, the original message.
 * Each refers to the original by its Message-ID (`X-Riferimento-Message-ID`, and the
 * original attached as postacert.eml, which carries `X-Genro-Mail-ID` when the proxy set
 * one). Real providers attach the original to delivery receipts; attaching it to the
 * other kinds too is this suite's simplification. Pure: no I/O. Checked against the SUT's own PecReceiptParser in
 * test/dsn.test.ts.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { originalHeaderBlock, type ComposedMail, type OriginalMail } from './bounce-mails.js';

export const PEC_RECEIPT_KINDS = ['accettazione', 'consegna', 'mancata consegna', 'non accettazione', 'presa in carico'] as const;
export type PecReceiptKind = (typeof PEC_RECEIPT_KINDS)[number];

/** The event a proxy records for each receipt (docs/sut-0.7.0.md#pec-receipts-never-read), and what it reports. */
export const PEC_EVENT_OF: Record<PecReceiptKind, 'pec_acceptance' | 'pec_delivery' | 'pec_error' | 'pec_relay'> = {
  accettazione: 'pec_acceptance',
  consegna: 'pec_delivery',
  'mancata consegna': 'pec_error',
  'non accettazione': 'pec_error',
  'presa in carico': 'pec_relay',
};

interface ReceiptSpec {
  /** The X-Ricevuta value of the PEC technical rules (DM 2 novembre 2005). */
  ricevuta: string;
  subject: (original: string) => string;
  text: (o: OriginalMail) => string;
  /** The tipo attribute of daticert.xml's root. */
  tipo: string;
  /** Error, for a non-delivery receipt. */
  errore?: string;
}

export const NON_DELIVERY_REASON = '5.1.1 - Casella di posta del destinatario inesistente';

/** Why the sender's provider did not accept a message (a non-acceptance receipt). */
export const NON_ACCEPTANCE_REASON = 'Messaggio non accettato: il messaggio contiene un virus';

const SPECS: Record<PecReceiptKind, ReceiptSpec> = {
  accettazione: {
    ricevuta: 'accettazione',
    subject: (s) => `ACCETTAZIONE: ${s}`,
    text: (o) => `Ricevuta di accettazione\n\nIl messaggio "${o.subject}" proveniente da "${o.sender}" ed indirizzato a:\n${o.recipient} ("posta certificata")\nè stato accettato dal sistema ed inoltrato.\nIdentificativo messaggio: ${o.messageId}\n`,
    tipo: 'accettazione',
  },
  consegna: {
    ricevuta: 'avvenuta-consegna',
    subject: (s) => `CONSEGNA: ${s}`,
    text: (o) => `Ricevuta di avvenuta consegna\n\nIl messaggio "${o.subject}" proveniente da "${o.sender}" ed indirizzato a "${o.recipient}" è stato consegnato nella casella di destinazione.\nIdentificativo messaggio: ${o.messageId}\n`,
    tipo: 'avvenuta-consegna',
  },
  'mancata consegna': {
    ricevuta: 'errore-consegna',
    subject: (s) => `AVVISO DI MANCATA CONSEGNA: ${s}`,
    text: (o) => `Avviso di mancata consegna\n\nIl messaggio "${o.subject}" proveniente da "${o.sender}" ed indirizzato a "${o.recipient}" non è stato consegnato.\nErrore: ${NON_DELIVERY_REASON}\nIdentificativo messaggio: ${o.messageId}\n`,
    tipo: 'errore-consegna',
    errore: NON_DELIVERY_REASON,
  },
  'non accettazione': {
    ricevuta: 'non-accettazione',
    subject: (s) => `AVVISO DI NON ACCETTAZIONE: ${s}`,
    text: (o) => `Avviso di non accettazione\n\nIl messaggio "${o.subject}" proveniente da "${o.sender}" ed indirizzato a:\n${o.recipient}\nnon è stato accettato dal sistema.\nErrore: ${NON_ACCEPTANCE_REASON}\nIdentificativo messaggio: ${o.messageId}\n`,
    tipo: 'non-accettazione',
    errore: NON_ACCEPTANCE_REASON,
  },
  'presa in carico': {
    ricevuta: 'presa-in-carico',
    subject: (s) => `PRESA IN CARICO: ${s}`,
    text: (o) => `Ricevuta di presa in carico\n\nIl messaggio "${o.subject}" proveniente da "${o.sender}" ed indirizzato a "${o.recipient}" è stato preso in carico dal gestore di posta certificata del destinatario.\nIdentificativo messaggio: ${o.messageId}\n`,
    tipo: 'presa-in-carico',
  },
};

const PROVIDER = 'pec.provider.example.test';

function daticert(kind: PecReceiptKind, o: OriginalMail, now: Date): string {
  const spec = SPECS[kind];
  const day = now.toISOString().slice(0, 10).split('-').reverse().join('/');
  const time = now.toISOString().slice(11, 19);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<postacert tipo="${spec.tipo}" errore="${spec.errore ? (kind === 'non accettazione' ? 'virus' : 'no-dest') : 'nessuno'}">`,
    '  <intestazione>',
    `    <mittente>${o.sender}</mittente>`,
    `    <destinatari tipo="certificato">${o.recipient}</destinatari>`,
    `    <risposte>${o.sender}</risposte>`,
    `    <oggetto>${o.subject}</oggetto>`,
    '  </intestazione>',
    '  <dati>',
    `    <gestore-emittente>${PROVIDER}</gestore-emittente>`,
    `    <data zona="+0000"><giorno>${day}</giorno><ora>${time}</ora></data>`,
    `    <identificativo>${o.messageId.replace(/[<>]/g, '')}</identificativo>`,
    `    <msgid>${o.messageId}</msgid>`,
    ...(kind === 'consegna' ? [`    <consegna>${o.recipient}</consegna>`] : []),
    ...(spec.errore ? [`    <errore-esteso>${spec.errore}</errore-esteso>`] : []),
    '  </dati>',
    '</postacert>',
    '',
  ].join('\n');
}

/**
 * A receipt of the given kind for `original`. The original is attached as postacert.eml:
 * `originalRaw` when given (the mail as delivered), else its header block.
 */
export async function composePecReceipt(kind: PecReceiptKind, original: OriginalMail, originalRaw?: Buffer): Promise<ComposedMail> {
  const spec = SPECS[kind];
  const now = new Date();
  const headers: Record<string, string> = {
    'X-Ricevuta': spec.ricevuta,
    'X-Riferimento-Message-ID': original.messageId,
    'X-Trasporto': 'posta-certificata',
    'X-Data-Ricevuta': now.toUTCString().replace('GMT', '+0000'),
    'X-Destinatario': original.recipient,
    'Auto-Submitted': 'auto-generated',
  };
  if (spec.errore) headers['X-Errore'] = spec.errore;
  const attachments = [
    { filename: 'daticert.xml', contentType: 'application/xml', content: daticert(kind, original, now) },
    { filename: 'postacert.eml', contentType: 'message/rfc822', contentDisposition: 'attachment', content: originalRaw ?? Buffer.from(`${originalHeaderBlock(original)}\r\n`) },
  ];
  const composer = new MailComposer({
    from: `Posta Certificata <posta-certificata@${PROVIDER}>`,
    to: original.sender,
    subject: spec.subject(original.subject),
    headers,
    text: spec.text(original),
    attachments,
  });
  const node = composer.compile();
  const raw = await node.build();
  return { raw, messageId: node.messageId() };
}
