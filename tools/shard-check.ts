/**
 * Checks that shard runs together ran every scenario exactly once.
 *
 *   node --import ./test/register.mjs tools/shard-check.ts --all ALL.ndjson SHARD1.ndjson SHARD2.ndjson ...
 *
 * ALL is the message report of the same selection without --shard (a --dry-run is
 * enough); each SHARD is the message report of one `--shard i/n` run. Exit 0 only when
 * every scenario of ALL ran in exactly one shard.
 */
import { readEnvelopes, scenarioResults } from './ledger/results.js';
import { compareShards, describeComparison, shardsAreExact } from './ledger/shards.js';

const args = process.argv.slice(2);
const at = args.indexOf('--all');
const allPath = at >= 0 ? args[at + 1] : undefined;
const shardPaths = args.filter((_, i) => i !== at && i !== at + 1);
if (!allPath || shardPaths.length === 0) {
  console.error('usage: shard-check.ts --all ALL.ndjson SHARD1.ndjson [SHARD2.ndjson ...]');
  process.exit(2);
}
const comparison = compareShards(
  scenarioResults(readEnvelopes(allPath)),
  shardPaths.map((path) => scenarioResults(readEnvelopes(path))),
);
console.log(describeComparison(comparison));
process.exit(shardsAreExact(comparison) ? 0 : 1);
