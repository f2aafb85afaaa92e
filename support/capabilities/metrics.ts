/**
 * The proxy's Prometheus metrics (GET /metrics, open without a token), parsed with
 * parse-prometheus-text-format, and read for one account: a scenario's account id is its
 * own, so its counters are not touched by any other scenario.
 *
 * Reach it as `world.use(ProxyMetrics.forScenario)`.
 */
import { expect } from 'chai';
import { createRequire } from 'node:module';
import { eventually } from '../base/eventually.js';
import { currentProxyInstance, OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

/** A metric family as parse-prometheus-text-format gives it (the package ships no types). */
export interface PrometheusFamily {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: { value?: string; labels?: Record<string, string> }[];
}

const parsePrometheusTextFormat = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

/** The counters of one account, by what they count. */
export interface AccountCounters {
  sent: number;
  failed: number;
  deferred: number;
  limited: number;
}

const COUNTERS: Record<keyof AccountCounters, string> = {
  sent: 'gmp_sent_total',
  failed: 'gmp_errors_total',
  deferred: 'gmp_deferred_total',
  limited: 'gmp_rate_limited_total',
};

/** The sum of a counter over the series labelled with the account id (0 when there is none). */
export function counterFor(families: PrometheusFamily[], name: string, accountId: string): number {
  const family = families.find((f) => f.name === name);
  return (family?.metrics ?? [])
    .filter((sample) => sample.labels?.account_id === accountId)
    .reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
}

export function countersFor(families: PrometheusFamily[], accountId: string): AccountCounters {
  const entries = Object.entries(COUNTERS).map(([key, name]) => [key, counterFor(families, name, accountId)]);
  return Object.fromEntries(entries);
}

export class ProxyMetrics {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ProxyMetrics {
    return new ProxyMetrics(world);
  }

  async read(): Promise<PrometheusFamily[]> {
    const { status, body } = await this.world.proxy.as(null).attempt((api) => api.metrics());
    expect(status, 'the answer of GET /metrics').to.equal(200);
    return parsePrometheusTextFormat(String(body));
  }

  /** Waits until the scenario's account shows the expected counts (the others are not looked at). */
  async assertAccountCounts(expected: Partial<AccountCounters>): Promise<void> {
    const accountId = this.world.accountId!;
    const pick = (all: AccountCounters) => Object.fromEntries(Object.keys(expected).map((k) => [k, all[k as keyof AccountCounters]]));
    const seen = await eventually(
      { description: `the metrics of account ${accountId} to count ${JSON.stringify(expected)}`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 200 },
      async () => pick(countersFor(await this.read(), accountId)),
      (counts) => JSON.stringify(counts) === JSON.stringify(expected),
    );
    expect(seen).to.deep.equal(expected);
  }

  /** The queue gauge, gmp_pending_messages (one value for the whole proxy: the scenario runs a proxy of its own). */
  async pendingGauge(): Promise<number | undefined> {
    const family = (await this.read()).find((f) => f.name === 'gmp_pending_messages');
    if (!family) return undefined;
    return family.metrics.reduce((sum, sample) => sum + Number(sample.value ?? 0), 0);
  }

  /** Waits until the queue gauge shows `count` messages waiting. */
  async assertPending(count: number): Promise<void> {
    if (!this.world.use(OwnProxy.forScenario).instance) throw new Error('the queue gauge counts every tenant\'s messages: tag the scenario @own-proxy');
    await eventually(
      { description: `the gauge gmp_pending_messages to show ${count} messages waiting`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 200 },
      () => this.pendingGauge(),
      (value) => value === count,
    );
  }

  /**
   * The status the operator reads with the token (GET /instance/status; docs/monitoring.rst,
   * "GET /status"): sending active, the messages waiting, and the seconds since the proxy
   * started. A call without the token is refused.
   */
  async assertStatus(waiting: number): Promise<void> {
    const startedAt = this.world.use(OwnProxy.forScenario).startedAt;
    if (startedAt === undefined) throw new Error('the uptime is checked against the start of the scenario\'s own proxy: tag the scenario @own-proxy');
    const status = await this.world.proxy.instance.status() as Record<string, unknown>;
    const upTo = Math.ceil((Date.now() - startedAt) / 1000);
    const uptime = status.uptime_seconds;
    const shown = 'uptime_seconds' in status
      ? { ...status, uptime_seconds: typeof uptime === 'number' && uptime >= 0 && uptime <= upTo ? `between 0 and ${upTo}` : uptime }
      : status;
    expect(
      shown,
      `the proxy's status (it was started ${upTo} s ago at most)`,
    ).to.deep.equal({ ok: true, scheduler_active: true, pending_messages: waiting, uptime_seconds: `between 0 and ${upTo}` });
    const anonymous = await this.world.proxy.as(null).attempt((api) => api.instance.status());
    expect(anonymous.status, 'the answer to asking for the status without a token').to.equal(401);
  }

  /**
   * The proxy's log (docs/monitoring.rst, "Logging" and "Log Format"): a line with a
   * timestamp and the level INFO naming the sent message, and one with the level ERROR
   * naming the refused message and the server's code.
   */
  assertLogged(sent: string, refused: string, code: number): void {
    const log = currentProxyInstance(this.world).logTail(1_000_000).split('\n');
    const stamped = (level: string) => new RegExp(`^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}\\S*\\s.*\\b${level}\\b`);
    const sentId = this.world.message(sent).id;
    const refusedId = this.world.message(refused).id;
    const about = (id: string) => log.filter((line) => line.includes(id));
    expect(about(sentId).filter((line) => stamped('INFO').test(line) && /\bsent\b/i.test(line)),
      `log lines with a time and the level INFO saying "${sent}" was sent (lines naming it: ${JSON.stringify(about(sentId))})`).to.have.length.at.least(1);
    expect(about(refusedId).filter((line) => stamped('ERROR').test(line) && new RegExp(`\\b${code}\\b`).test(line)),
      `log lines with a time and the level ERROR giving the error of "${refused}" (lines naming it: ${JSON.stringify(about(refusedId))})`).to.have.length.at.least(1);
  }
}
