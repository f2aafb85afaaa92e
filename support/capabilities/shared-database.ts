/**
 * Two proxies of the scenario's own on one PostgreSQL database, as the docs deploy several
 * instances behind a load balancer (features/several-proxies.feature). Both run in test
 * mode: each sends only when it is asked to run (POST /instance/run_now), so a scenario
 * decides which proxy goes to work, and when; asked together, both go through the same
 * queue at the same moment.
 *
 * PostgreSQL rather than a shared SQLite file: the docs name PostgreSQL for several
 * instances, and in Docker mode each proxy container keeps a SQLite file of its own.
 * The tables are created first, in foreign-key order, because of the known defect
 * "pg-start-on-empty-database" (docs/sut-0.7.0.md#pg-start-on-empty-database).
 *
 * The first proxy is the scenario's own proxy (OwnProxy): `world.proxy` talks to it, so
 * the application's calls (tenants, accounts, messages) go there. The second is reached
 * through `second`.
 *
 * Reach it as `world.use(SharedDatabase.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import { ProxyApi, attemptEvents } from '../clients/proxy-api.js';
import { ScenarioSecrets } from '../base/secrets.js';
import { OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

export class SharedDatabase {
  private secondProxy: ProxyApi | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): SharedDatabase {
    return new SharedDatabase(world);
  }

  /** Two proxies in test mode on one fresh PostgreSQL database; `world.proxy` is the first. */
  async startTwoProxies(): Promise<void> {
    const own = this.world.use(OwnProxy.forScenario);
    const database = await own.freshPostgresDatabase();
    const created = await own.createTablesInDependencyOrder();
    expect(await own.postgresTables(), 'tables in the database').to.include.members(created);
    await own.start({ label: 'shared-1', testMode: true, database });
    const second = await this.world.session.provider.startProxy({ label: 'shared-2', testMode: true, database });
    this.world.teardown.push(`stop the second proxy of scenario ${this.world.sid}`, () => second.stop());
    this.world.use(ScenarioSecrets.forScenario).register('token of the scenario\'s second proxy', second.endpoint.token);
    expect(second.options.database, 'the database of the second proxy').to.equal(own.database);
    this.secondProxy = new ProxyApi(second.endpoint);
    this.world.evidence.add('second-proxy', {
      title: 'the second proxy on the same database: its API calls and the tail of its log',
      collect: () => `${JSON.stringify(this.secondProxy?.exchanges ?? [], null, 1)}\n--- log ---\n${second.logTail(60)}`,
    });
  }

  get second(): ProxyApi {
    if (!this.secondProxy) throw new Error('this scenario has not started two proxies on one database');
    return this.secondProxy;
  }

  /** The proxy the feature names: "first" or "second". */
  proxyNamed(which: string): ProxyApi {
    if (which === 'first') return this.world.proxy;
    if (which === 'second') return this.second;
    throw new Error(`no "${which}" proxy: the scenario has a first and a second`);
  }

  /** Both proxies are asked to run at the same moment. */
  async bothRun(): Promise<void> {
    await Promise.all([this.world.proxy.instance.runNow(), this.second.instance.runNow()]);
  }

  /**
   * Every message of the batch reaches the sink, and, for a quiet period afterwards, the
   * sink holds exactly one copy of each; the message list of either proxy shows each message
   * 'sent' with exactly one attempt, its 'sent' event.
   */
  async assertBatchSentExactlyOnce(aliases: string[]): Promise<void> {
    const copies = async () => Object.fromEntries(await Promise.all(aliases.map(async (a) => [a, (await this.world.mailsFor(a)).length] as const)));
    await eventually(
      { description: `every one of the ${aliases.length} messages to reach the sink (copies of each)`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 200, context: () => this.world.nearby() },
      copies,
      (seen) => Object.values(seen).every((n) => n > 0),
    );
    await consistently(
      { description: `exactly one copy of each of the ${aliases.length} messages in the sink (copies of each)`, timeoutMs: this.world.quietPeriodMs, intervalMs: 200 },
      copies,
      (seen) => Object.values(seen).every((n) => n === 1),
    );
    for (const [name, api] of [['first', this.world.proxy], ['second', this.second]] as const) {
      const listed = await api.messages.list(this.world.tenantId, { includeHistory: true });
      const attempts = Object.fromEntries(aliases.map((alias) => {
        const record = listed.find((m) => m.id === this.world.message(alias).id);
        return [alias, record ? `${record.status}: ${attemptEvents(record).map((e) => e.event_type).join(', ')}` : 'not listed'];
      }));
      const expected = Object.fromEntries(aliases.map((alias) => [alias, 'sent: sent']));
      expect(attempts, `status and attempts of each message in the message list of the ${name} proxy`).to.deep.equal(expected);
    }
  }
}
