/**
 * PostgreSQL starts only when a @db scenario asks for a database.
 *  - Statically: the steps and the tag (@own-proxy-on-postgresql) that ask for a
 *    PostgreSQL database appear in @db scenarios only, and every @db scenario has one.
 *  - At run time: Cucumber run with `--tags 'not @db'` (on one quick scenario) starts the
 *    stack without PostgreSQL; the same run on a @db scenario starts it. Each run uses a
 *    config of its own (summary output only) and a log folder of its own, so the suite's
 *    reports are left alone.
 */
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { REPORTS_DIR, ROOT } from '../support/base/config.js';
import { parse as parseYaml } from 'yaml';

const ASKS_FOR_POSTGRES = /PostgreSQL database/;
/** The tag whose hook starts the scenario's proxy on a PostgreSQL database (support/cucumber/tagged-hooks.ts). */
const POSTGRES_TAG = '@own-proxy-on-postgresql';

const asksForPostgres = (s: { tags: string[]; steps: string[] }) => s.tags.includes(POSTGRES_TAG) || s.steps.some((t) => ASKS_FOR_POSTGRES.test(t));

function scenarioSteps(): { name: string; tags: string[]; steps: string[] }[] {
  const parser = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher());
  return readdirSync(join(ROOT, 'features')).filter((f) => f.endsWith('.feature')).flatMap((file) => {
    const feature = parser.parse(readFileSync(join(ROOT, 'features', file), 'utf8')).feature;
    const featureTags = feature?.tags.map((t) => t.name) ?? [];
    const background = feature?.children.flatMap((c) => c.background?.steps.map((s) => s.text) ?? []) ?? [];
    return (feature?.children ?? []).filter((c) => c.scenario).map((c) => ({
      name: c.scenario!.name,
      tags: [...featureTags, ...c.scenario!.tags.map((t) => t.name)],
      steps: [...background, ...c.scenario!.steps.map((s) => s.text)],
    }));
  });
}

test('only @db scenarios ask for a PostgreSQL database, and each of them does', () => {
  const all = scenarioSteps();
  const db = all.filter((s) => s.tags.includes('@db'));
  assert.ok(db.length >= 3, `@db scenarios: ${db.map((s) => s.name).join(', ')}`);
  assert.deepEqual(all.filter((s) => !s.tags.includes('@db') && asksForPostgres(s)).map((s) => s.name), []);
  assert.deepEqual(db.filter((s) => !asksForPostgres(s)).map((s) => s.name), []);
});

// Cucumber reads its --config relative to the working directory: a scratch folder under reports/.
mkdirSync(REPORTS_DIR, { recursive: true });
const scratch = mkdtempSync(join(REPORTS_DIR, 'lazy-pg-probe-'));
const probeLabels: string[] = [];
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  for (const label of probeLabels) rmSync(join(REPORTS_DIR, 'logs', label), { recursive: true, force: true });
});

/** Runs Cucumber on one scenario; returns its stderr and the log folder its stack used. */
async function runCucumber(tags: string, name: string, id: string): Promise<{ code: number | null; output: string; logDir: string }> {
  const profiles = parseYaml(readFileSync(join(ROOT, 'cucumber.yaml'), 'utf8')) as { default: Record<string, unknown> };
  const config = join(scratch, `${id}.json`);
  writeFileSync(config, JSON.stringify({ default: { ...profiles.default, format: ['summary'], parallel: 0 } }));
  // The hooks name the stack's log folder after CUCUMBER_WORKER_ID: a folder of this probe's own.
  const workerId = `lazy-pg-probe-${id}-${process.pid}`;
  probeLabels.push(`worker-${workerId}`);
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'cucumber-js'), ['--config', relative(ROOT, config), '--tags', tags, '--name', name], {
    cwd: ROOT,
    env: { ...process.env, CUCUMBER_WORKER_ID: workerId },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output, logDir: join(REPORTS_DIR, 'logs', `worker-${workerId}`) };
}

test("--tags 'not @db' starts the stack without PostgreSQL; a @db scenario starts it", { timeout: 240_000 }, async () => {
  const plain = await runCucumber('not @db', '^The health check and the metrics are open to monitoring without a token$', 'plain');
  assert.equal(plain.code, 0, plain.output);
  assert.match(plain.output, /1 scenario \(1 passed\)/);
  assert.match(plain.output, /\[stack\] local stack ready/);
  assert.doesNotMatch(plain.output, /postgresql ready/);
  assert.ok(existsSync(join(plain.logDir, 'proxy.log')), `no proxy log in ${plain.logDir}`);
  assert.ok(!existsSync(join(plain.logDir, 'postgresql.log')), 'PostgreSQL wrote a log, so it was started');

  const db = await runCucumber('@db', '^A proxy on PostgreSQL delivers messages$', 'db');
  assert.equal(db.code, 0, db.output);
  assert.match(db.output, /1 scenario \(1 passed\)/);
  assert.match(db.output, /\[stack\] postgresql ready in \d+ ms/);
  assert.ok(existsSync(join(db.logDir, 'postgresql.log')), `no PostgreSQL log in ${db.logDir}`);
});
