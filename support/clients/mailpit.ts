/**
 * Typed client for Mailpit's REST API (the SMTP sink). Scenarios find their mail by
 * search (recipient, Message-ID, subject, tag), never by "latest" or by counts.
 *
 * Mailpit adds headers of its own when it stores a mail: a `Received:` trace header,
 * `Return-Path:`, a `Bcc:` header listing envelope recipients that are not in To/Cc,
 * and a `Message-ID: <…@mailpit>` when the mail has none. `writtenHeaders()` gives
 * the headers as the sender (the proxy) wrote them, without those.
 */
import got from 'got';
import { simpleParser, type HeaderLines } from 'mailparser';

export interface MailAddress {
  Name: string;
  Address: string;
}

export interface MailSummary {
  ID: string;
  MessageID: string;
  From: MailAddress | null;
  To: MailAddress[] | null;
  Cc: MailAddress[] | null;
  Bcc: MailAddress[] | null;
  ReplyTo: MailAddress[] | null;
  Subject: string;
  Created: string;
  Tags: string[];
  Size: number;
  Attachments: number;
  Snippet: string;
}

export interface MailPart {
  PartID: string;
  FileName: string;
  ContentType: string;
  ContentID: string;
  Size: number;
}

export interface MailMessage {
  ID: string;
  MessageID: string;
  From: MailAddress | null;
  To: MailAddress[];
  Cc: MailAddress[] | null;
  Bcc: MailAddress[] | null;
  ReplyTo: MailAddress[] | null;
  ReturnPath: string;
  Subject: string;
  Date: string;
  Tags: string[];
  Text: string;
  HTML: string;
  Size: number;
  Inline: MailPart[];
  Attachments: MailPart[];
}

export interface SearchResult {
  total: number;
  messages_count: number;
  messages: MailSummary[];
}

/** One header as written by the sender: name as written, value unfolded. */
export interface WrittenHeader {
  name: string;
  value: string;
}

/** Quotes a value for Mailpit's search syntax. */
export function searchTerm(field: string, value: string): string {
  return `${field}:"${value.replace(/"/g, '')}"`;
}

/**
 * Splits a raw mail into the headers Mailpit added and the rest. Mailpit's own block
 * ends with its `Received: … (Mailpit) …` header; everything after it is the sender's.
 */
export function stripMailpitHeaders(raw: string): string {
  const lines = raw.split(/\r?\n/);
  const headerEnd = lines.findIndex((line) => line === '');
  const limit = headerEnd === -1 ? lines.length : headerEnd;
  for (let i = 0; i < limit; i += 1) {
    if (!/^Received:/i.test(lines[i]!)) continue;
    let j = i + 1;
    while (j < limit && /^[ \t]/.test(lines[j]!)) j += 1;
    const block = lines.slice(i, j).join(' ');
    if (/\(Mailpit\)/.test(block)) return lines.slice(j).join('\r\n');
  }
  throw new Error('this mail has no Received header from Mailpit, so the headers Mailpit added cannot be told apart');
}

/** One of Mailpit's chaos triggers: the SMTP stage it fails, with a code, in % of the cases. */
export interface ChaosTrigger {
  ErrorCode: number;
  Probability: number;
}

/** Mailpit's chaos settings (needs --enable-chaos): refusals at AUTH, MAIL FROM and RCPT TO. */
export interface ChaosTriggers {
  Authentication?: ChaosTrigger;
  Sender?: ChaosTrigger;
  Recipient?: ChaosTrigger;
}

export class Mailpit {
  constructor(readonly apiUrl: string) {}

  private api(path: string) {
    return got(`${this.apiUrl}/api/v1${path}`, { retry: { limit: 0 }, timeout: { request: 15_000 } });
  }

  async search(query: string, limit = 200): Promise<MailSummary[]> {
    const result = await got(`${this.apiUrl}/api/v1/search`, {
      searchParams: { query, limit },
      retry: { limit: 0 },
      timeout: { request: 15_000 },
    }).json<SearchResult>();
    return result.messages;
  }

  /** How many mails match `query` (without listing them). */
  async count(query: string): Promise<number> {
    const result = await got(`${this.apiUrl}/api/v1/search`, {
      searchParams: { query, limit: 1 },
      retry: { limit: 0 },
      timeout: { request: 15_000 },
    }).json<SearchResult>();
    return result.messages_count;
  }

  /** Every mail matching `query`, page by page. */
  async searchAll(query: string, pageSize = 500): Promise<MailSummary[]> {
    const all: MailSummary[] = [];
    for (let start = 0; ; start += pageSize) {
      const page = await got(`${this.apiUrl}/api/v1/search`, {
        searchParams: { query, limit: pageSize, start },
        retry: { limit: 0 },
        timeout: { request: 30_000 },
      }).json<SearchResult>();
      all.push(...page.messages);
      if (page.messages.length < pageSize) return all;
    }
  }

  /** Mails with this Message-ID (with or without the angle brackets). */
  async byMessageId(messageId: string): Promise<MailSummary[]> {
    return this.search(searchTerm('message-id', messageId.replace(/^<|>$/g, '')));
  }

  /** Mails with this tag (Mailpit tags plus-addresses and X-Tags headers). */
  async byTag(tag: string): Promise<MailSummary[]> {
    return this.search(searchTerm('tag', tag));
  }

  /** Mails that have `address` in To, Cc or Bcc (envelope recipients included). */
  async addressedTo(address: string): Promise<MailSummary[]> {
    return this.search(searchTerm('addressed', address));
  }

  async message(id: string): Promise<MailMessage> {
    return this.api(`/message/${id}`).json<MailMessage>();
  }

  /** Headers as Mailpit reports them (its own additions included). */
  async headers(id: string): Promise<Record<string, string[]>> {
    return this.api(`/message/${id}/headers`).json<Record<string, string[]>>();
  }

  async raw(id: string): Promise<string> {
    return this.api(`/message/${id}/raw`).text();
  }

  async part(id: string, partId: string): Promise<Buffer> {
    return this.api(`/message/${id}/part/${partId}`).buffer();
  }

  /** The headers as the sender wrote them, in order, parsed with mailparser. */
  async writtenHeaders(id: string): Promise<WrittenHeader[]> {
    const raw = await this.raw(id);
    const parsed = await simpleParser(stripMailpitHeaders(raw));
    const lines: HeaderLines = parsed.headerLines;
    return lines.map(({ line }) => {
      const colon = line.indexOf(':');
      return { name: line.slice(0, colon), value: line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() };
    });
  }

  /** Sets chaos triggers; triggers left out are switched off. Global to this Mailpit. */
  async setChaos(triggers: ChaosTriggers): Promise<ChaosTriggers> {
    return got.put(`${this.apiUrl}/api/v1/chaos`, { json: triggers, retry: { limit: 0 } }).json<ChaosTriggers>();
  }

  async chaos(): Promise<ChaosTriggers> {
    return this.api('/chaos').json<ChaosTriggers>();
  }

  async resetChaos(): Promise<void> {
    await this.setChaos({});
  }

  async deleteSearch(query: string): Promise<void> {
    await got.delete(`${this.apiUrl}/api/v1/search`, { searchParams: { query }, retry: { limit: 0 } });
  }
}
