// No import cycle among the suite's own files, type-only imports included (dependency-cruiser,
// with TypeScript's pre-compilation dependencies): a cycle makes the load order matter and
// hides which layer depends on which (docs/architecture.md, "The layers").
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = join(import.meta.dirname, '..');

/** Cruises the suite's own folders from the project root, forbidding every circular dependency. */
async function cruiseSuite(): Promise<IReporterOutput> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  try {
    return await cruise(
      ['support', 'step-definitions', 'tools', 'test', 'lint'],
      {
        tsPreCompilationDeps: true,
        tsConfig: { fileName: 'tsconfig.json' },
        doNotFollow: { path: 'node_modules' },
        exclude: { path: '^(node_modules|test/fixtures)/' },
        validate: true,
        ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] },
      },
      {},
      { tsConfig: extractTSConfig(join(ROOT, 'tsconfig.json')) },
    );
  } finally {
    process.chdir(cwd);
  }
}

test('no import cycle among the files, type-only imports included', async () => {
  const { output } = await cruiseSuite();
  assert.ok(typeof output !== 'string', 'dependency-cruiser answers with its JSON result');
  const modules = output.modules.map((m) => m.source);
  // The cruise did reach the layers, through the `.js` specifiers that name `.ts` files, and counts `import type`.
  assert.ok(modules.includes('support/cucumber/world.ts') && modules.includes('support/stack/local.ts'), `modules cruised: ${modules.length}`);
  const proxy = output.modules.find((m) => m.source === 'support/stack/local-proxy.ts');
  const typeOnly = proxy?.dependencies.find((d) => d.resolved === 'support/stack/process.ts');
  assert.ok(typeOnly?.dependencyTypes.includes('type-only'), `local-proxy.ts's \`import type\` of process.ts is counted: ${JSON.stringify(typeOnly)}`);
  const cycles = output.summary.violations.map((v) => [v.from, ...(v.cycle ?? []).map((c) => c.name)].join(' → '));
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});
