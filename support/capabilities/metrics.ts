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
  return Object.fromEntries(entries) as unknown as AccountCounters;
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
}
