/**
 * The numbers the docs quote stay the code's: the default number of workers (scripts/acceptance.sh,
 * scripts/test-docker.sh), Cucumber's profiles (cucumber.yaml), our own gherkin-lint rules
 * (lint/gherkin-rules/, .gherkin-lintrc). Counts that change with every new scenario (scenarios,
 * known defects, passed, confirmed) appear in prose only as measurements of a dated run.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
/** "four" or "4" as a number. */
const asNumber = (word: string) => (/^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word.toLowerCase()));
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Every capture of `pattern` (one group) in `text`; fails when there is none. */
function quoted(path: string, pattern: RegExp): number[] {
  const found = [...read(path).matchAll(new RegExp(pattern.source, `${pattern.flags}g`))].map((m) => asNumber(m[1]!));
  assert.ok(found.length > 0, `${path} no longer says ${pattern}: update this test with the docs`);
  return found;
}

test('the docs give the number of workers that scripts/acceptance.sh and scripts/test-docker.sh start', () => {
  const choice = /WORKERS=\(--parallel "\$\{ACCEPTANCE_WORKERS:-(\d+)\}"\); else WORKERS=\(--parallel "\$\{ACCEPTANCE_WORKERS:-(\d+)\}"\)/.exec(read('scripts/acceptance.sh'));
  assert.ok(choice, 'scripts/acceptance.sh chooses the default workers, Docker mode first');
  const docker = Number(choice[1]);
  const local = Number(choice[2]);
  for (const n of quoted('README.md', /It runs (\d+) workers/)) assert.equal(n, local, 'README: the workers of npm run acceptance');
  for (const n of quoted('README.md', /run with its (\d+) workers/)) assert.equal(n, local, 'README: the workers of npm test');
  for (const n of quoted('docs/performance.md', /run (\d+) workers \(\d+ in Docker mode/)) assert.equal(n, local, 'performance.md: the default workers');
  for (const n of quoted('docs/performance.md', /run \d+ workers \((\d+) in Docker mode/)) assert.equal(n, docker, 'performance.md: the default workers in Docker mode');
  for (const n of quoted('docs/performance.md', /^(\d+) workers is the default/m)) assert.equal(n, local, 'performance.md: the default workers');
  const testDocker = /\[ \$# -gt 0 \] \|\| set -- --parallel (\d+)/.exec(read('scripts/test-docker.sh'));
  assert.equal(Number(testDocker?.[1]), docker, 'scripts/test-docker.sh runs as many workers as a Docker-mode npm run acceptance');
  for (const n of quoted('docs/docker.md', /STACK=docker bash scripts\/acceptance\.sh --parallel (\d+)`/)) assert.equal(n, docker, 'docker.md: the workers of npm run test:docker');
});

test('docs/stack.md names every profile of cucumber.yaml, with the number of workers of ci', () => {
  const profiles = parseYaml(read('cucumber.yaml')) as Record<string, { parallel?: number }>;
  for (const n of quoted('docs/stack.md', /`cucumber\.yaml` has (\w+) profiles/)) assert.equal(n, Object.keys(profiles).length, 'stack.md: how many profiles');
  const rows = [...read('docs/stack.md').matchAll(/^\| `(\w+)` \| (.*) \|$/gm)].filter((m) => m[1]! in profiles || /runs|scenario/.test(m[2]!));
  const listed = new Map(rows.map((m) => [m[1]!, m[2]!]));
  assert.deepEqual([...listed.keys()].filter((k) => k in profiles).sort(), Object.keys(profiles).sort(), 'stack.md: one row for each profile');
  assert.equal(Number(/--parallel (\d+)/.exec(listed.get('ci') ?? '')?.[1]), profiles.ci?.parallel, 'stack.md: the workers of the ci profile');
});

test('every rule of our own in lint/gherkin-rules/ is switched on, and the docs count them right where they count', () => {
  const rules = readdirSync(join(ROOT, 'lint/gherkin-rules')).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  const config = JSON.parse(read('.gherkin-lintrc')) as Record<string, unknown>;
  const on = (setting: unknown) => setting === 'on' || (Array.isArray(setting) && setting[0] === 'on');
  for (const rule of rules) assert.ok(on(config[rule]), `.gherkin-lintrc switches on ${rule} (lint/gherkin-rules/${rule}.js)`);
  for (const path of DOCS) {
    for (const m of read(path).matchAll(/\b(\w+) (?:rules of our own|of our own rules)\b/g)) {
      if (asNumber(m[1]!) >= 0) assert.equal(asNumber(m[1]!), rules.length, `${path}: "${m[0]}", where lint/gherkin-rules/ has ${rules.length}`);
    }
  }
});

test('counts of scenarios and known defects appear in prose only as measurements of a dated run', () => {
  const COUNT = /\b\d+ (?:scenarios|known defects|passed|confirmed)\b/;
  const DATE = /\b20\d\d-\d\d-\d\d\b/;
  const undated: string[] = [];
  // docs/coverage.md's counts are written and checked by npm run coverage:fix / coverage:check; sut-0.7.0.md is about the release.
  for (const path of DOCS.filter((p) => !['docs/coverage.md', 'docs/sut-0.7.0.md'].includes(p))) {
    let heading = '';
    let previous = '';
    for (const paragraph of read(path).split(/\n\s*\n/)) {
      const title = /^#+ .*$/m.exec(paragraph);
      if (title) heading = title[0];
      // The date may be in the paragraph, in the one that introduces it (a table), or in the section's heading.
      const dated = [paragraph, previous, heading].some((text) => DATE.test(text));
      if (COUNT.test(paragraph) && !dated) undated.push(`${path}: "${COUNT.exec(paragraph)![0]}" in: ${paragraph.trim().slice(0, 160)}`);
      previous = paragraph;
    }
  }
  assert.deepEqual(undated, [], `counts that go stale with every new scenario; give the run's date or drop the number:\n${undated.join('\n')}`);
});
