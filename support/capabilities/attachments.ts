/**
 * Over 300 lines on purpose: the one world object of the attachment features, each way of handing a file to the proxy next to the check of what arrived.
 *
 * Attachments of one scenario: the files it sends, how each is handed to the proxy
 * (inline base64, an HTTP URL with a bearer token, a file on the proxy's host, the
 * tenant's attachment endpoint), and checks on the delivered mail: each attachment part
 * is downloaded from Mailpit and compared with the file sent by SHA-256; for files served
 * slowly, how many fetches the file server had under way at once.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MailMessage, MailPart } from '../clients/mailpit.js';
import type { Attachment, MessageRecord } from '../clients/proxy-api.js';
import { eventually } from '../base/eventually.js';
import { FileServer, peakConcurrency } from '../partners/file-server.js';
import { sha256 } from '../clients/object-store.js';
import type { GenroWorld } from '../cucumber/world.js';

export interface SentFile {
  /** The name the recipient must see. */
  name: string;
  bytes: Buffer;
}

/** A made-up file: a small PDF-looking header and random bytes, so no two are alike. */
export function sampleFile(name: string, sizeBytes: number): SentFile {
  const head = Buffer.from(`%PDF-1.4\n% ${name}\n`);
  const bytes = Buffer.concat([head, randomBytes(Math.max(0, sizeBytes - head.length))]).subarray(0, Math.max(sizeBytes, 1));
  return { name, bytes };
}

export function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** `report_{MD5:<hash>}.pdf` for report.pdf. */
export function markedName(name: string, hash: string): string {
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}_{MD5:${hash}}${name.slice(dot)}`;
}

type Way = (a: Attachments, name: string, match: RegExpMatchArray) => Attachment | Promise<Attachment>;

/** The ways a feature hands a file to the proxy ("as base64 content", ...), and the attachment each makes. */
const WAYS: [RegExp, Way][] = [
  [/^as base64 content$/, (a, name) => a.base64(a.file(name), 'fetch_mode')],
  [/^as base64 content after the "base64:" prefix$/, (a, name) => a.base64(a.file(name), 'prefix')],
  [/^named with its MD5 marker$/, (a, name) => a.md5Marked(a.file(name))],
  [/^at a URL that needs the token "([^"]*)"$/, (a, name, [, token]) => a.httpUrl(a.file(name), a.scenarioToken(token!))],
  [/^from the proxy's file system$/, (a, name) => a.filesystem(a.file(name))],
  [/^from the proxy's file system, where there is none$/, (a, name) => a.missingFile(name)],
  [/^as invalid base64 content$/, (a, name) => a.invalidBase64(name)],
  [/^at a URL where no server answers$/, (a, name) => a.unreachableUrl(name)],
  [/^the tenant's document "([^"]*)"$/, (a, name, [, documentId]) => a.endpointDocument(a.sent(name), documentId!)],
  [/^of (\d+) KB$/, (a, name, [, kb]) => a.base64(a.file(name, Number(kb) * 1024), 'fetch_mode')],
  [/^from its URL, without a fetch mode$/, (a, name) => withoutFetchMode(a.fromUrl(name))],
  [/^from the proxy's file system, without a fetch mode$/, (a, name) => withoutFetchMode(a.filesystem(a.file(name)))],
  [/^from its URL, without credentials of its own$/, (a, name) => withoutAuth(a.fromUrl(name))],
  [/^from its URL, with its MD5$/, (a, name) => ({ ...a.fromUrl(name), content_md5: md5(a.sent(name).bytes) })],
  [/^from its URL, with its MD5, a wrong one in its name$/, (a, name) => a.withMd5AndOtherMarker(a.fromUrl(name), a.sent(name))],
  [/^from its URL$/, (a, name) => a.fromUrl(name)],
  [/^as base64 content, declared as "([^"]*)"$/, (a, name, [, type]) => ({ ...a.base64(a.file(name), 'fetch_mode'), mime_type: type! })],
];

/** The attachment as the application gives it when it leaves the proxy to infer the source. */
function withoutFetchMode(attachment: Attachment): Attachment {
  const { fetch_mode: _omitted, ...rest } = attachment;
  return rest;
}

/** The attachment without credentials of its own: the proxy is left to use the tenant's. */
function withoutAuth(attachment: Attachment): Attachment {
  const { auth: _omitted, ...rest } = attachment;
  return rest;
}

/** A file name of exactly `length` characters, ending in ".pdf", unique to the scenario. */
export function longFileName(sid: string, length: number): string {
  const stem = `annual-report-${sid}-`;
  if (length < stem.length + 4) throw new Error(`a file name of ${length} characters is too short for the scenario's id`);
  return `${stem}${'x'.repeat(length - stem.length - 4)}.pdf`;
}

export class Attachments {
  /** Files by the name the recipient must see. */
  readonly files = new Map<string, SentFile>();
  /** Files the file server serves, by name: their attachment with URL and bearer token. */
  private readonly served = new Map<string, Attachment>();
  private tempDir: string | undefined;
  /** The files of the message sent with slow URLs, in the order they were attached. */
  private slowFiles: string[] = [];

  /**
   * How long the file server takes over each slow URL before it answers: long enough that
   * fetches the proxy makes at once overlap at the server whatever the machine's load, and
   * that fetches made one after another do not.
   */
  static readonly SLOW_ANSWER_MS = 700;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): Attachments {
    return new Attachments(world);
  }

  get fileServer(): FileServer {
    const server = this.world.session.use(FileServer.forSession);
    const sid = this.world.sid;
    const added = this.world.evidence.add('file-server', {
      title: 'Requests the attachment file server received in this scenario',
      collect: () => server.requestsOf(sid).map((r) => `${new Date(r.at).toISOString()} (answered ${r.answeredAt === undefined ? 'not yet' : `after ${r.answeredAt - r.at} ms`}) ${r.method} ${r.path} ${r.authorization ?? '(no Authorization)'} ${r.body}`).join('\n') || '(none)',
    });
    if (added) this.world.teardown.push('forget the file server requests of this scenario', () => server.forget(sid));
    return server;
  }

  file(name: string, sizeBytes = 2048): SentFile {
    let file = this.files.get(name);
    if (!file) {
      file = sampleFile(name, sizeBytes);
      this.files.set(name, file);
    }
    return file;
  }

  sent(name: string): SentFile {
    const file = this.files.get(name);
    if (!file) throw new Error(`no attachment "${name}" was sent in this scenario (known: ${[...this.files.keys()].join(', ') || 'none'})`);
    return file;
  }

  /** A token named in a feature, made unique to the scenario. */
  scenarioToken(token: string): string {
    return `${token}-${this.world.sid}`;
  }

  /** Submits the message with the file, handed over the way the feature says. */
  async submitWith(alias: string, name: string, way: string): Promise<void> {
    const found = WAYS.find(([pattern]) => pattern.test(way));
    if (!found) throw new Error(`no way to attach a file "${way}" (the ways: ${WAYS.map(([p]) => p.source).join(', ')})`);
    const attachment = await found[1](this, name, way.match(found[0])!);
    await this.world.submit([{ alias, message: this.world.draft(alias, { attachments: [attachment] }) }]);
  }

  /**
   * Submits one message with `count` files (page-1.pdf, page-2.pdf, …, 32 KB each), each at
   * a URL of the file server that answers only after SLOW_ANSWER_MS.
   */
  async submitWithSlowUrls(alias: string, count: number): Promise<void> {
    const server = this.fileServer;
    const attachments: Attachment[] = [];
    this.slowFiles = [];
    for (let i = 1; i <= count; i += 1) {
      const file = this.file(`page-${i}.pdf`, 32 * 1024);
      const url = await server.publish(this.world.sid, file.name, file.bytes, undefined, { delayMs: Attachments.SLOW_ANSWER_MS });
      attachments.push({ filename: file.name, storage_path: url, fetch_mode: 'http_url' });
      this.slowFiles.push(file.name);
    }
    await this.world.submit([{ alias, message: this.world.draft(alias, { attachments }) }]);
  }

  private slowlyServed(count: number): string[] {
    expect(this.slowFiles.length, 'the number of files the message was sent with, at slow URLs').to.equal(count);
    return this.slowFiles;
  }

  /** The mail carries exactly the slowly served files (no other attachment, none twice), each with its bytes. */
  async assertDeliveredSlowFiles(alias: string, count: number): Promise<void> {
    const names = this.slowlyServed(count);
    const mail = await this.world.deliveredMail(alias);
    const parts = [...mail.Attachments, ...mail.Inline].map((p) => p.FileName);
    expect([...parts].sort(), `the attachments of the mail "${alias}"`).to.deep.equal([...names].sort());
    for (const name of names) await this.assertDelivered(alias, name);
  }

  /** The file server's requests of this scenario, as "GET page-1.pdf". */
  private fetches(): { name: string; request: ReturnType<FileServer['requestsOf']>[number] }[] {
    return this.fileServer.requestsOf(this.world.sid).map((request) => ({
      name: `${request.method} ${decodeURIComponent(request.path.split('/').pop() ?? '')}`,
      request,
    }));
  }

  /** The file server was asked for each slowly served file exactly once, and for nothing else. */
  assertEachSlowFileFetchedOnce(count: number): void {
    const names = this.slowlyServed(count);
    expect(this.fetches().map((f) => f.name).sort(), 'the requests the file server received').to.deep.equal(names.map((n) => `GET ${n}`).sort());
  }

  /** At its busiest, the file server had between `least` and `most` of the scenario's fetches under way at once. */
  assertFetchesAtOnce(least: number, most: number): void {
    const fetches = this.fetches();
    const start = Math.min(...fetches.map((f) => f.request.at));
    const timeline = fetches
      .sort((a, b) => a.request.at - b.request.at)
      .map((f) => `${f.name} ${f.request.at - start}..${f.request.answeredAt === undefined ? '?' : f.request.answeredAt - start} ms`)
      .join('; ');
    const peak = peakConcurrency(fetches.map((f) => f.request));
    expect(peak, `the most fetches under way at once at the file server (from the first request: ${timeline})`).to.be.within(least, most);
  }

  /** Submits the message with one base64 file whose name has exactly `length` characters; returns the name. */
  async submitWithLongName(alias: string, length: number): Promise<string> {
    const name = longFileName(this.world.sid, length);
    expect(name, 'the file name made for the scenario').to.have.length(length);
    await this.world.submit([{ alias, message: this.world.draft(alias, { attachments: [this.base64(this.file(name), 'fetch_mode')] }) }]);
    return name;
  }

  /** The name of the one file the scenario sent with a name of `length` characters. */
  longNamed(length: number): string {
    const names = [...this.files.keys()].filter((n) => n.length === length);
    expect(names, `files sent with a name of ${length} characters`).to.have.length(1);
    return names[0]!;
  }

  // ------------------------------------------------------------------ sources

  base64(file: SentFile, how: 'fetch_mode' | 'prefix'): Attachment {
    const data = file.bytes.toString('base64');
    return how === 'fetch_mode'
      ? { filename: file.name, storage_path: data, fetch_mode: 'base64' }
      : { filename: file.name, storage_path: `base64:${data}` };
  }

  /** The file name with an MD5 marker: `report_{MD5:<hash>}.pdf` for report.pdf. */
  md5Marked(file: SentFile): Attachment {
    return { filename: markedName(file.name, md5(file.bytes)), storage_path: file.bytes.toString('base64'), fetch_mode: 'base64' };
  }

  /**
   * The attachment with the file's MD5 in content_md5 and the MD5 of other bytes marked in
   * its name: the docs say content_md5 takes precedence.
   */
  withMd5AndOtherMarker(attachment: Attachment, file: SentFile): Attachment {
    const other = md5(Buffer.concat([file.bytes, Buffer.from('another version')]));
    return { ...attachment, filename: markedName(file.name, other), content_md5: md5(file.bytes) };
  }

  /** Serves the file at a URL of its own, to `token` only, after answering the first `unavailableFirst` requests 503. */
  async serve(name: string, token: string, unavailableFirst = 0): Promise<void> {
    this.served.set(name, await this.httpUrl(this.file(name), this.scenarioToken(token), unavailableFirst));
  }

  /** The attachment for a file the scenario serves at a URL (http_url, with its bearer token). */
  fromUrl(name: string): Attachment {
    const attachment = this.served.get(name);
    if (!attachment) throw new Error(`"${name}" is not served at a URL in this scenario (served: ${[...this.served.keys()].join(', ') || 'none'})`);
    return attachment;
  }

  /** A URL that serves the file to `token`, after answering the first `unavailableFirst` requests 503. */
  async httpUrl(file: SentFile, token: string, unavailableFirst = 0): Promise<Attachment> {
    const url = await this.fileServer.publish(this.world.sid, file.name, file.bytes, token, { unavailableFirst });
    return { filename: file.name, storage_path: url, fetch_mode: 'http_url', auth: { method: 'bearer', token } };
  }

  /** A file on the proxy's host: written into the stack's proxy file directory, which the proxy reads at the same path. */
  filesystem(file: SentFile): Attachment {
    const path = join(this.dir(), file.name);
    writeFileSync(path, file.bytes, { mode: 0o644 });
    return { filename: file.name, storage_path: path, fetch_mode: 'filesystem' };
  }

  /** A path on the proxy's host where no file is. */
  missingFile(name: string): Attachment {
    return { filename: name, storage_path: join(this.dir(), `missing-${name}`), fetch_mode: 'filesystem' };
  }

  async unreachableUrl(name: string): Promise<Attachment> {
    return { filename: name, storage_path: await this.fileServer.unreachableUrl(name), fetch_mode: 'http_url' };
  }

  invalidBase64(name: string): Attachment {
    return { filename: name, storage_path: 'this is not base64 at all!', fetch_mode: 'base64' };
  }

  /** A document the tenant's attachment endpoint serves, referred to by its document id. */
  endpointDocument(file: SentFile, documentId: string): Attachment {
    return { filename: file.name, storage_path: documentId, fetch_mode: 'endpoint' };
  }

  private dir(): string {
    if (!this.tempDir) {
      const dir = mkdtempSync(join(this.world.session.provider.proxyFileDir(), `attachments-${this.world.sid}-`));
      // The proxy may run as another user (the proxy image's user 10001).
      chmodSync(dir, 0o755);
      this.tempDir = dir;
      this.world.teardown.push(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    }
    return this.tempDir;
  }

  // ------------------------------------------------------------------ the tenant's endpoint

  /** The tenant's own credentials (client_auth): a bearer token. */
  async tenantCredentials(token: string): Promise<void> {
    await this.world.proxy.tenants.update(this.world.tenantId!, { client_auth: { method: 'bearer', token } });
  }

  /** Serves the documents at the tenant's attachment endpoint, behind the tenant's bearer token. */
  async serveTenantEndpoint(documents: Map<string, Buffer>, token: string): Promise<void> {
    const { baseUrl, path } = await this.fileServer.attachmentEndpoint(this.world.sid, documents, token);
    await this.world.proxy.tenants.update(this.world.tenantId!, {
      client_base_url: baseUrl,
      client_attachment_path: path,
      client_auth: { method: 'bearer', token },
    });
  }

  // ------------------------------------------------------------------ outcomes

  /** Waits until the message is sent or has failed (as /messages/list reports it). */
  async outcome(alias: string): Promise<MessageRecord> {
    return eventually(
      { description: `the message "${alias}" to be sent or to fail (in /messages/list)`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
      () => this.world.record(alias, true),
      (record) => record.status === 'sent' || record.status === 'error',
    );
  }

  /** The attachment part of the delivered mail with this file name. */
  part(mail: MailMessage, name: string): MailPart {
    const parts = [...mail.Attachments, ...mail.Inline];
    const found = parts.find((p) => p.FileName === name);
    expect(found, `an attachment named "${name}" in the mail "${mail.Subject}" (it has: ${parts.map((p) => `${p.FileName} ${p.ContentType}`).join(', ') || 'none'})`).to.not.equal(undefined);
    return found!;
  }

  /** Downloads the part from Mailpit and compares it with the file sent, by SHA-256. */
  async assertDelivered(alias: string, name: string, contentType?: string): Promise<void> {
    const file = this.sent(name);
    const mail = await this.world.deliveredMail(alias);
    const part = this.part(mail, name);
    if (contentType) expect(part.ContentType, `content type of "${name}"`).to.equal(contentType);
    const delivered = await this.world.mailpit.part(mail.ID, part.PartID);
    expect({ size: delivered.length, sha256: sha256(delivered) }, `the bytes of "${name}" as delivered`).to.deep.equal({ size: file.bytes.length, sha256: sha256(file.bytes) });
  }
}
