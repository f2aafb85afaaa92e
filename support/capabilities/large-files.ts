/**
 * Large attachments of one scenario: the tenant's `large_file_config` (set through
 * /tenants/update), the object store the proxy moves big files to (the scenario's own
 * bucket), the download links in the delivered mail, and the proxy's log for warnings.
 */
import { expect } from 'chai';
import { Attachments } from './attachments.js';
import { eventually } from '../base/eventually.js';
import { ObjectStore, sha256 } from '../clients/object-store.js';
import type { GenroWorld } from '../cucumber/world.js';

export type LargeFileAction = 'rewrite' | 'reject' | 'warn';

/** Where in the scenario's bucket the proxy puts the files it moves out of mails. */
const PREFIX = 'big-files';

export class LargeFiles {
  /** Lines of the proxy's log before this scenario configured large files. */
  private logMark = 0;

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
