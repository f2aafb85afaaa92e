/**
 * Reading one account's counters out of the proxy's Prometheus text (no stack needed).
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { counterFor, countersFor, type PrometheusFamily } from '../support/capabilities/metrics.js';

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => PrometheusFamily[];

const TEXT = `# HELP gmp_sent_total Total sent emails
# TYPE gmp_sent_total counter
gmp_sent_total{account_id="default",account_name="default",tenant_id="default",tenant_name="default"} 0.0
gmp_sent_total{account_id="smtp-s1",account_name="smtp-s1",tenant_id="tenant-s1",tenant_name="Scenario s1"} 3.0
gmp_sent_total{account_id="smtp-s2",account_name="smtp-s2",tenant_id="tenant-s2",tenant_name="Scenario s2"} 7.0
# HELP gmp_errors_total Total send errors
# TYPE gmp_errors_total counter
gmp_errors_total{account_id="smtp-s1",account_name="smtp-s1",tenant_id="tenant-s1",tenant_name="Scenario s1"} 1.0
# HELP gmp_pending_messages Current pending messages
# TYPE gmp_pending_messages gauge
gmp_pending_messages 4.0
`;

test('counterFor sums one account\'s series of a counter, and is 0 when the account has none', () => {
  const families = parse(TEXT);
  assert.equal(counterFor(families, 'gmp_sent_total', 'smtp-s1'), 3);
  assert.equal(counterFor(families, 'gmp_errors_total', 'smtp-s2'), 0);
  assert.equal(counterFor(families, 'gmp_rate_limited_total', 'smtp-s1'), 0);
});

test('countersFor names the counters by what they count, for one account only', () => {
  assert.deepEqual(countersFor(parse(TEXT), 'smtp-s1'), { sent: 3, failed: 1, deferred: 0, limited: 0 });
  assert.deepEqual(countersFor(parse(TEXT), 'smtp-s2'), { sent: 7, failed: 0, deferred: 0, limited: 0 });
});
