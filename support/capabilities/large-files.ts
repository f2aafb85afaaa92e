/**
 * Large attachments of one scenario: the tenant's `large_file_config` (set through
 * /tenants/update), where the proxy moves big files to (the scenario's own bucket, or a
 * folder of its own on the proxy's disk that the suite's web server publishes), the
 * download links in the delivered mail, and the proxy's log for warnings.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { expect } from 'chai';
import { Attachments } from './attachments.js';
import { consistently, eventually } from '../base/eventually.js';
import { ObjectStore, sha256 } from '../clients/object-store.js';
import type { GenroWorld } from '../cucumber/world.js';
import { WebServer } from '../partners/web-server.js';

/** A folder on the proxy's disk: its path as the proxy sees it and as the suite sees it, and the URL where the web server publishes it. */
export interface PublishedFolder {
  forProxy: string;
  forSuite: string;
  publicBaseUrl: string;
}

/** Every file under `dir`, recursively, as paths relative to it (with `/`). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

export type LargeFileAction = 'rewrite' | 'reject' | 'warn';

/** Where in the scenario's bucket the proxy puts the files it moves out of mails. */
const PREFIX = 'big-files';

export class LargeFiles {
  /** Lines of the proxy's log before this scenario configured large files. */
  private logMark = 0;
  /** The local-disk folder of configureLocalDisk(). */
  private folder: PublishedFolder | undefined;

  constructor(private readonly world: GenroWorld) {}

  static forScenario(world: GenroWorld): LargeFiles {
    return new LargeFiles(world);
  }

  get store(): ObjectStore {
    return this.world.use(ObjectStore.forScenario);
  }

  private proxyLog(): string[] {
    if (this.world.session.provider.name === 'external') {
      throw new Error("reading the proxy's log needs the local or the docker stack; the external stack gives no access to it");
    }
    return this.world.session.provider.mainProxy.logTail(Number.MAX_SAFE_INTEGER).split('\n');
  }

  /** Sets the tenant's large_file_config; for rewrite, files go to the scenario's bucket under PREFIX. */
  async configure(action: LargeFileAction, limitKb: number, ttlDays = 1): Promise<void> {
    if (!this.world.tenantId) throw new Error('create a tenant before configuring its large files');
    const config: Record<string, unknown> = { enabled: true, max_size_mb: limitKb / 1024, action };
    if (action === 'rewrite') {
      await this.store.ensureBucket();
      config.storage_url = this.store.url(PREFIX);
      config.file_ttl_days = ttlDays;
    }
    if (action === 'warn') this.logMark = this.proxyLog().length;
    const tenant = await this.world.proxy.tenants.update(this.world.tenantId, { large_file_config: config });
    expect(tenant?.large_file_config, "the tenant's large_file_config as stored").to.deep.equal(config);
  }

  /**
   * Local-disk storage: a folder of the scenario's own that the proxy writes (storage_url
   * `file://` + its path as the proxy sees it), published by the suite's web server, whose
   * URL is the public_base_url; attachments over `limitKb` are moved there (rewrite).
   */
  async configureLocalDisk(limitKb: number, keep: { fileTtlDays: number; lifespanAfterDownloadDays: number } | undefined = undefined): Promise<PublishedFolder> {
    if (!this.world.tenantId) throw new Error('create a tenant before configuring its large files');
    const written = this.world.session.provider.proxyWrittenDir();
    const forSuite = mkdtempSync(join(written.forSuite, `large-files-${this.world.sid}-`));
    // The proxy may run as another user (the proxy image's user 10001): it writes here.
    chmodSync(forSuite, 0o777);
    this.world.teardown.push(`remove ${forSuite}`, () => {
      try {
        rmSync(forSuite, { recursive: true, force: true });
      } catch (error) {
        // Folders the proxy made as another user: the stack's teardown empties them (docs/stack.md).
        if (!['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
    });
    const web = this.world.session.use(WebServer.forSession);
    this.world.teardown.push('forget the web server folders of this scenario', () => web.forget(this.world.sid));
    const publicBaseUrl = await web.serveFolder(this.world.sid, 'attachments', forSuite);
    this.folder = { forProxy: `${written.forProxy}/${basename(forSuite)}`, forSuite, publicBaseUrl };
    const config: Record<string, unknown> = { enabled: true, max_size_mb: limitKb / 1024, storage_url: `file://${this.folder.forProxy}`, public_base_url: publicBaseUrl, action: 'rewrite' };
    if (keep) Object.assign(config, { file_ttl_days: keep.fileTtlDays, lifespan_after_download_days: keep.lifespanAfterDownloadDays });
    const tenant = await this.world.proxy.tenants.update(this.world.tenantId, { large_file_config: config });
    expect(tenant?.large_file_config, "the tenant's large_file_config as stored").to.deep.equal(config);
    return this.folder;
  }

  private get published(): PublishedFolder {
    if (!this.folder) throw new Error('configure local-disk storage first (configureLocalDisk)');
    return this.folder;
  }

  /** The published folder holds exactly one file named `name` (at any depth), with the bytes that were sent. */
  assertInFolder(name: string): void {
    const file = this.world.use(Attachments.forScenario).sent(name);
    const { forSuite, forProxy } = this.published;
    const found = filesUnder(forSuite).filter((path) => path.split('/').pop() === name);
    expect(found, `files named ${name} under ${forProxy} (storage_url)`).to.have.length(1);
    expect(sha256(readFileSync(join(forSuite, found[0]!))), `SHA-256 of ${found[0]} under ${forProxy}`).to.equal(sha256(file.bytes));
  }

  /**
   * The link to `name` in the mail lies under public_base_url, and the web server that
   * publishes the folder there answers it with the bytes that were sent.
   */
  async assertPublishedLinkDownloads(alias: string, name: string): Promise<void> {
    const file = this.world.use(Attachments.forScenario).sent(name);
    const { publicBaseUrl, forProxy } = this.published;
    const link = await this.link(alias, name);
    expect(link.startsWith(`${publicBaseUrl}/`), `the link to ${name} (${link}) starts with public_base_url ${publicBaseUrl}/`).to.equal(true);
    const answer = await fetch(link);
    const body = Buffer.from(await answer.arrayBuffer());
    const stored = filesUnder(this.published.forSuite).join(', ') || 'nothing';
    expect(answer.status, `HTTP status of the link to ${name} from the web server that publishes ${forProxy} at public_base_url (the folder holds: ${stored})`).to.equal(200);
    expect(sha256(body), `SHA-256 of what the link to ${name} downloads`).to.equal(sha256(file.bytes));
  }

  /** The files named `name` in the published folder (at any depth). */
  private inFolder(name: string): string[] {
    return filesUnder(this.published.forSuite).filter((path) => path.split('/').pop() === name);
  }

  /**
   * The proxy keeps `name`: for a quiet period the published folder holds it, at its size
   * (looked at, not read: reading it would be a download), and then its link in the mail
   * still downloads the bytes that were sent.
   */
  async assertKept(alias: string, name: string): Promise<void> {
    const file = this.world.use(Attachments.forScenario).sent(name);
    await consistently(
      { description: `${name} stays in the published folder ${this.published.forProxy}, ${file.bytes.length} bytes (its copies there, with their sizes)`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => this.inFolder(name).map((path) => ({ path, size: statSync(join(this.published.forSuite, path)).size })),
      (copies) => copies.length === 1 && copies[0]!.size === file.bytes.length,
    );
    await this.assertPublishedLinkDownloads(alias, name);
  }

  /**
   * The proxy removes `name`: within CLEANUP_DEADLINE_MS the published folder no longer holds
   * it, and its link in the mail then answers 404.
   */
  async assertRemoved(alias: string, name: string): Promise<void> {
    const link = await this.link(alias, name);
    await eventually(
      { description: `${name} gone from the published folder ${this.published.forProxy} (its files)`, timeoutMs: LargeFiles.CLEANUP_DEADLINE_MS, intervalMs: 200 },
      () => this.inFolder(name),
      (found) => found.length === 0,
    );
    const answer = await fetch(link);
    await answer.arrayBuffer();
    expect(answer.status, `HTTP status of the link to ${name} once the file is gone`).to.equal(404);
  }

  /**
   * How long a clean-up may take once its time has come. The docs give no clean-up period;
   * after the proxy's clock has jumped by days, each of its timers shorter than that jump is
   * already due, so this only covers a slow machine.
   */
  static readonly CLEANUP_DEADLINE_MS = 15_000;

  /** The link to `name` carries a signed token: a non-empty query parameter named for a token or a signature. */
  async assertLinkCarriesToken(alias: string, name: string): Promise<void> {
    const url = new URL(await this.link(alias, name));
    const tokens = [...url.searchParams].filter(([key, value]) => /token|sig/i.test(key) && value.trim() !== '');
    expect(tokens.map(([key]) => key), `query parameters of the link to ${name} that carry a token or signature (${url.origin}${url.pathname}?${[...url.searchParams.keys()].join('&')})`).to.have.length.greaterThan(0);
  }

  /** Objects whose name is `name`, under `prefix` in the scenario's bucket. */
  async objectsNamed(name: string, prefix: string) {
    return (await this.store.list(`${prefix}/`)).filter((o) => o.key.split('/').pop() === name);
  }

  async assertStored(name: string): Promise<void> {
    const file = this.world.use(Attachments.forScenario).sent(name);
    const found = await this.objectsNamed(name, PREFIX);
    expect(found, `objects named ${name} under ${this.store.url(PREFIX)}/`).to.have.length(1);
    const head = await this.store.head(found[0]!.key);
    expect(head?.ContentLength, `size of ${found[0]!.key}`).to.equal(file.bytes.length);
    const stored = await this.store.get(found[0]!.key);
    expect(sha256(stored), `SHA-256 of ${found[0]!.key}`).to.equal(sha256(file.bytes));
  }

  async assertNothingStored(): Promise<void> {
    expect(await this.store.list(`${PREFIX}/`), `objects under ${this.store.url(PREFIX)}/`).to.deep.equal([]);
  }

  /** The download link for `name` in the delivered mail's text. */
  async link(alias: string, name: string): Promise<string> {
    const mail = await this.world.deliveredMail(alias);
    const line = mail.Text.split(/\r?\n/).find((l) => l.includes(name) && /https?:\/\//.test(l));
    expect(line, `a line with a link to ${name} in the text of the mail "${alias}":\n${mail.Text}`).to.be.a('string');
    return line!.match(/https?:\/\/\S+/)![0];
  }

  async assertLinkDownloads(alias: string, name: string): Promise<void> {
    const file = this.world.use(Attachments.forScenario).sent(name);
    const url = await this.link(alias, name);
    const { status, body } = await ObjectStore.download(url);
    expect(status, `HTTP status of the download link of ${name}`).to.equal(200);
    expect(sha256(body), `SHA-256 of what the link of ${name} downloads`).to.equal(sha256(file.bytes));
  }

  /**
   * The link to `name` is presigned to expire after `days` days: an S3 presigned URL
   * (SigV4) gives its lifetime in seconds as X-Amz-Expires; an older one (SigV2) gives the
   * moment as Expires, which must fall `days` days after the mail reached the sink (give or
   * take a minute).
   */
  async assertLinkExpiresAfter(alias: string, name: string, days: number): Promise<void> {
    const url = new URL(await this.link(alias, name));
    const seconds = days * 86_400;
    const v4 = url.searchParams.get('X-Amz-Expires');
    if (v4 !== null) {
      expect(Number(v4), `X-Amz-Expires of the link to ${name} (${url.origin}${url.pathname})`).to.equal(seconds);
      return;
    }
    const v2 = url.searchParams.get('Expires');
    expect(v2, `an expiry (X-Amz-Expires or Expires) in the link to ${name}: ${url.origin}${url.pathname}?${[...url.searchParams.keys()].join('&')}`).to.be.a('string');
    const [summary] = await this.world.mailsFor(alias);
    const arrived = Math.floor(Date.parse(summary!.Created) / 1000);
    expect(Number(v2), `Expires of the link to ${name}, against ${days} days after the mail arrived`).to.be.within(arrived + seconds - 60, arrived + seconds + 60);
  }

  /** The text of the mail says when its download links expire: "Links expire in <days> days" (docs/attachments.rst, "Download URLs"). */
  async assertMailSaysExpiry(alias: string, days: number): Promise<void> {
    const mail = await this.world.deliveredMail(alias);
    expect(mail.Text, `the text of the mail "${alias}"`).to.match(new RegExp(`links expire in ${days} days`, 'i'));
  }

  async assertNotAttached(alias: string, name: string): Promise<void> {
    const mail = await this.world.deliveredMail(alias);
    const names = [...mail.Attachments, ...mail.Inline].map((p) => p.FileName);
    expect(names, `attachments of the mail "${alias}"`).not.to.include(name);
  }

  /**
   * Waits (a few send-loop cycles) for a warning about `name` in the proxy's log since
   * configure(); then checks, a quiet period later, that it is the only one and that the
   * mail went out once.
   */
  async assertWarned(name: string, alias: string): Promise<void> {
    const warnings = () => this.proxyLog().slice(this.logMark).filter((l) => l.includes(name) && /exceeds|too large|larger than/i.test(l));
    await eventually(
      { description: `a warning in the proxy's log that ${name} exceeds the size limit; the log lines since the tenant was configured`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      () => this.proxyLog().slice(this.logMark).filter((l) => l.trim() !== '' && !/"(GET|POST) \//.test(l)),
      (lines) => lines.some((l) => l.includes(name) && /exceeds|too large|larger than/i.test(l)),
    );
    await this.world.assertDeliveredOnce(alias);
    expect(warnings(), `warnings in the proxy's log that ${name} exceeds the size limit`).to.have.length(1);
    expect(warnings()[0], 'the warning names the limit').to.match(/limit/i);
  }
}
