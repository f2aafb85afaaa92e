/**
 * Isolation a scenario asks for with a tag, set up before its first step, so that the
 * features keep to what a product owner reads:
 *  - @own-proxy: the scenario runs on a proxy of its own, on a SQLite database of its own
 *    (support/capabilities/own-proxy.ts), so that a restart touches nothing another
 *    scenario queued. With @retry-delay-<n>s, that proxy waits n seconds before each retry;
 *    with @report-retention-<n>s, it keeps reported messages for n seconds.
 *  - @own-proxy-on-postgresql: the same on a fresh PostgreSQL database whose tables are
 *    created first, in foreign-key order (stack/create_pg_schema.py), because 0.7.0 cannot
 *    create them itself (known defect "pg-start-on-empty-database", docs/sut-0.7.0.md#pg-start-on-empty-database).
 *  - @controlled-clock: the scenario runs on a proxy of its own whose clock its steps move
 *    forward (support/capabilities/controlled-clock.ts, libfaketime).
 *  - @fast-clock: every proxy the scenario starts (with @own-proxy, or in a step) runs on a
 *    clock FAST_CLOCK_SPEED times faster than the real one (the same module); defined before
 *    the @own-proxy hook, so that it applies to that proxy.
 */
import { Before } from '@cucumber/cucumber';
import { expect } from 'chai';
import { ControlledClock, FAST_CLOCK_SPEED } from '../capabilities/controlled-clock.js';
import { OwnProxy } from '../capabilities/own-proxy.js';
import type { GenroWorld } from './world.js';

Before({ tags: '@fast-clock' }, function (this: GenroWorld) {
  this.use(ControlledClock.forScenario).runEveryProxy(FAST_CLOCK_SPEED);
});

Before({ tags: '@own-proxy' }, async function (this: GenroWorld, { pickle }) {
  const tags = pickle.tags.map((t) => t.name);
  const retryDelay = tags.map((t) => /^@retry-delay-(\d+)s$/.exec(t)?.[1]).find((d) => d !== undefined);
  const retention = tags.map((t) => /^@report-retention-(\d+)s$/.exec(t)?.[1]).find((d) => d !== undefined);
  const own = this.use(OwnProxy.forScenario);
  if (retryDelay) await own.start({ label: 'own-retry', retryDelays: [Number(retryDelay), Number(retryDelay)] });
  else if (retention) await own.start({ label: 'own-retention', reportRetentionSeconds: Number(retention) });
  else await own.start({ label: tags.includes('@load') ? 'load' : 'own' });
});

Before({ tags: '@own-proxy-on-postgresql', timeout: 120_000 }, async function (this: GenroWorld) {
  const own = this.use(OwnProxy.forScenario);
  await own.freshPostgresDatabase();
  const created = await own.createTablesInDependencyOrder();
  expect(await own.postgresTables(), 'tables in the database').to.include.members(created);
  await own.start({ label: 'pg' });
});

Before({ tags: '@controlled-clock' }, async function (this: GenroWorld) {
  await this.use(ControlledClock.forScenario).start();
});
