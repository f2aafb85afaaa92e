/**
 * Did a set of `cucumber-js --shard i/n` runs run every scenario exactly once?
 * Compares the scenarios of each shard's message report with those of an unsharded
 * run (or dry run) of the same selection. Used by test/sharding.test.ts and
 * tools/shard-check.ts.
 */
import type { ScenarioResult } from './results.js';

/** A scenario across runs: its feature file and line (an outline row has its own line). */
export function scenarioKey(result: Pick<ScenarioResult, 'uri' | 'line' | 'name'>): string {
  return result.line === null ? `${result.uri} "${result.name}"` : `${result.uri}:${result.line}`;
}

export interface ShardComparison {
  /** Scenarios of the whole run, each once. */
  total: number;
  /** How many scenarios each shard ran. */
  perShard: number[];
  /** In the whole run, in no shard. */
  missing: string[];
  /** In more than one shard (or twice in one). */
  duplicated: string[];
  /** In a shard, not in the whole run. */
  unexpected: string[];
}

export function compareShards(all: ScenarioResult[], shards: ScenarioResult[][]): ShardComparison {
  const expected = new Set(all.map(scenarioKey));
  const seen = new Map<string, number>();
  for (const shard of shards) for (const r of shard) seen.set(scenarioKey(r), (seen.get(scenarioKey(r)) ?? 0) + 1);
  return {
    total: expected.size,
    perShard: shards.map((s) => s.length),
    missing: [...expected].filter((k) => !seen.has(k)).sort(),
    duplicated: [...seen].filter(([, n]) => n > 1).map(([k]) => k).sort(),
    unexpected: [...seen.keys()].filter((k) => !expected.has(k)).sort(),
  };
}

export function shardsAreExact(c: ShardComparison): boolean {
  return c.missing.length === 0 && c.duplicated.length === 0 && c.unexpected.length === 0 && c.perShard.every((n) => n > 0);
}

export function describeComparison(c: ShardComparison): string {
  const lines = [
    `${c.total} scenarios; the ${c.perShard.length} shards ran ${c.perShard.join(' + ')} = ${c.perShard.reduce((a, b) => a + b, 0)}`,
  ];
  if (c.missing.length) lines.push(`in no shard: ${c.missing.join(', ')}`);
  if (c.duplicated.length) lines.push(`in more than one shard: ${c.duplicated.join(', ')}`);
  if (c.unexpected.length) lines.push(`not in the whole run: ${c.unexpected.join(', ')}`);
  if (c.perShard.some((n) => n === 0)) lines.push('a shard ran no scenario');
  lines.push(shardsAreExact(c) ? 'every scenario ran exactly once' : 'sharding is NOT exact');
  return lines.join('\n');
}
