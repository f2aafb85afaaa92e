/**
 * How long the proxy keeps the messages whose outcome the application has received: the
 * retention period of the proxy (ProxyConfig.timing.report_retention_seconds; docs/usage.rst
 * and docs/features.rst, "Message Cleanup"), which a scenario shortens by running a proxy of
 * its own (the tag @report-retention-<n>s, support/cucumber/tagged-hooks.ts).
 *
 * Reach it as `world.use(Retention.forScenario)`.
 */
import { expect } from 'chai';
import { consistently, eventually } from '../base/eventually.js';
import { currentProxyInstance } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

export class Retention {
  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): Retention {
    return new Retention(world);
  }

  /** The retention period of the proxy the scenario talks to, in seconds. */
  get seconds(): number {
    const seconds = currentProxyInstance(this.world).options.reportRetentionSeconds;
    if (seconds === undefined) throw new Error('the scenario\'s proxy runs with the release\'s retention period: tag the scenario @own-proxy @report-retention-<n>s');
    return seconds;
  }

  /** The last time one of the tenant's events was marked reported (epoch seconds). */
  private async lastReportedAt(): Promise<number> {
    const list = await this.world.proxy.messages.list(this.world.tenantId, { includeHistory: true });
    const reported = list.flatMap((m) => m.history ?? []).map((e) => e.reported_ts ?? 0);
    const last = Math.max(0, ...reported);
    if (last === 0) throw new Error('none of the tenant\'s events has been reported yet');
    return last;
  }

  /**
   * Waits until the retention period has passed since the last report the application
   * acknowledged: the clock is past reported_ts + retention (whole seconds, so one more).
   */
  async waitUntilPassed(): Promise<void> {
    const until = (await this.lastReportedAt()) + this.seconds + 1;
    await eventually(
      { description: `the clock to pass the end of the retention period (${new Date(until * 1000).toISOString()})`, timeoutMs: (until - Date.now() / 1000) * 1000 + 2000, intervalMs: 100 },
      () => Date.now() / 1000,
      (now) => now > until,
    );
  }

  /** The proxy keeps listing the message for a quiet period (it is still within its retention). */
  async assertKept(alias: string): Promise<void> {
    const id = this.world.message(alias).id;
    await consistently(
      { description: `the message "${alias}" in the message list`, timeoutMs: this.world.quietPeriodMs, intervalMs: 100 },
      async () => (await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id),
      (ids) => ids.includes(id),
    );
  }

  /** The proxy stops listing the message by itself, within a delivery deadline. */
  async assertPurged(alias: string): Promise<void> {
    const id = this.world.message(alias).id;
    const ids = await eventually(
      { description: `the message "${alias}" to leave the message list`, timeoutMs: this.world.deliveryTimeoutMs, intervalMs: 100 },
      async () => (await this.world.proxy.messages.list(this.world.tenantId)).map((m) => m.id),
      (listed) => !listed.includes(id),
    );
    expect(ids, 'ids in the message list').to.not.include(id);
  }
}
