/**
 * The run's page for product owners (reports/index.html, tools/ledger/page.ts), as a reader
 * sees it in a real browser (Debian's Chromium through playwright-core). The page comes from
 * real Cucumber runs of the fixture features with the ledger's test double: one that passes
 * with a known defect, then the same with a broken scenario injected.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadLedger } from '../support/base/ledger.js';
import { documentedBehavioursCovered } from '../tools/ledger/coverage-slot.js';
import { documentedBehavioursSection, renderPage } from '../tools/ledger/page.js';
import { readEnvelopes, scenarioResults } from '../tools/ledger/results.js';
import { verdictOf } from '../tools/ledger/verdict.js';
import { cucumber, FIXTURE_LEDGER, latest, scratchReports } from './run-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const reports = scratchReports('run-page');
let browser: Browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: run \`npm run setup\` (Debian package chromium)`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});
after(async () => {
  await browser?.close();
  rmSync(reports, { recursive: true, force: true });
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  await page.goto(`file://${path}`);
  return page;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();

describe('the run page', () => {
  test('opens with what works, the known defects and what is broken, per feature, and names the SUT and the date', async () => {
    const run = await cucumber(['--tags', '@ordinary or @confirmed'], { reports });
    assert.equal(run.code, 0, run.out);
    // reports/index.html is the latest run's page; keep this one before the next run replaces it.
    const first = join(reports, 'first.html');
    copyFileSync(join(reports, 'index.html'), first);

    const page = await open(first);
    try {
      assert.equal(await text(page, '#verdict'), 'The run passes: everything works except 1 known defect of this release.');
      assert.equal(await text(page, '#count-works'), '1\nscenario works');
      assert.equal(await text(page, '#count-known-defects'), '1\nknown defect of this release');
      assert.equal(await text(page, '#count-broken'), '0\nbroken');
      // One row per feature: its name, the three counts and a bar.
      const row = page.locator('#features tbody tr', { hasText: 'The ledger judged inside the run' });
      assert.deepEqual(await row.locator('td.n').allInnerTexts(), ['1', '1', '0']);
      assert.equal(await row.locator('svg.bar').getAttribute('aria-label'), 'The ledger judged inside the run: 1 scenario works, 1 known defect, 0 broken');
      // Each scenario under its feature, with one mark; the known defect with its sentence.
      const known = page.locator('li.scenario', { hasText: 'A known defect that fails as the ledger expects' });
      assert.equal(await known.locator('.mark').innerText(), 'KNOWN DEFECT');
      assert.equal(await known.locator('.defect').innerText(), 'The proxy writes no Date header.');
      assert.ok(await known.locator('.defect').isVisible());
      const works = page.locator('li.scenario', { hasText: 'An ordinary scenario that works' });
      assert.equal(await works.locator('.mark').innerText(), 'WORKS');
      assert.equal(await page.locator('li.scenario').count(), 2);
      // The SUT and the date.
      assert.match(await text(page, 'h1'), /^What works in genro-mail-proxy/);
      assert.match(await text(page, '.meta'), new RegExp(`Acceptance run of \\d{1,2} \\w+ ${new Date().getFullYear()}`));
      // The documented behaviours, from docs/coverage.md: covered, known defects, not covered per doc area.
      assert.equal(await page.locator('#documented-behaviours').count(), 1);
      assert.match(await text(page, '#documented-behaviours h2'), /^Documented behaviours covered$/);
      assert.ok((await page.locator('#documented-behaviours tbody tr').count()) >= 10, 'one row per documentation area');
      await page.screenshot({ path: join(reports, 'run-page.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  test('shows an injected failure as broken, with its message, and the run as failed', async () => {
    const run = await cucumber(['--tags', '@ordinary or @confirmed or @ordinary-broken'], { reports });
    assert.equal(run.code, 1, run.out);
    const page = await open(join(latest(reports), 'index.html'));
    try {
      assert.equal(await text(page, '#verdict'), 'The run fails: 1 scenario is broken.');
      assert.equal(await text(page, '#count-works'), '1\nscenario works');
      assert.equal(await text(page, '#count-known-defects'), '1\nknown defect of this release');
      assert.equal(await text(page, '#count-broken'), '1\nbroken');
      const broken = page.locator('li.scenario', { hasText: 'An ordinary scenario that is broken' });
      assert.equal(await broken.locator('.mark').innerText(), 'BROKEN');
      assert.match(await broken.locator('pre.message').innerText(), /something else broke/);
      const row = page.locator('#features tbody tr', { hasText: 'The ledger judged inside the run' });
      assert.deepEqual(await row.locator('td.n').allInnerTexts(), ['1', '1', '1']);
      assert.equal(await row.locator('svg.bar rect.broken').count(), 1);
      assert.match(await text(page, 'footer'), /acceptance: 1 passed, 1 failed\nknown defects: 1 confirmed, 0 unexpected passes, 0 changed failures/);
    } finally {
      await page.close();
    }
  });
});

test('the documented-behaviours slot shows counts per doc area when given, and nothing otherwise', () => {
  assert.equal(documentedBehavioursSection(undefined), '');
  assert.equal(documentedBehavioursSection([]), '');
  const section = documentedBehavioursSection([{ area: 'Sending mail', documented: 12, covered: 9 }]);
  assert.match(section, /<h2>Documented behaviours covered<\/h2>/);
  assert.match(section, /Sending mail<\/th><td>9 of 12<\/td><td>0<\/td><td>3<\/td>/);
  const fromTable = documentedBehavioursCovered();
  assert.ok(fromTable && fromTable.length >= 10, 'docs/coverage.md gives counts for every documentation area');
  assert.ok(fromTable.every((a) => a.covered + (a.knownDefect ?? 0) <= a.documented));
  assert.ok(fromTable.some((a) => (a.knownDefect ?? 0) > 0));
  assert.match(section, /aria-label="Sending mail: 9 of 12 documented behaviours covered"/);

  // The page keeps it in the marked slot.
  const envelopes = readEnvelopes(join(latest(reports), 'cucumber-messages.ndjson'));
  const verdict = verdictOf(scenarioResults(envelopes), loadLedger(FIXTURE_LEDGER));
  const input = { verdict, exitCode: 1, featureNames: {}, sut: { description: 'genro-mail-proxy 9.9', why: 'a test' }, run: { id: 'x', started: '2026-01-02T03:04:05Z', finished: '2026-01-02T03:05:05Z', command: 'cucumber-js' } };
  const without = renderPage(input);
  const withCounts = renderPage({ ...input, documentedBehaviours: [{ area: 'Sending mail', documented: 12, covered: 9 }] });
  assert.match(without, /<!-- SLOT "documented behaviours covered"/);
  assert.doesNotMatch(without, /id="documented-behaviours"/);
  assert.match(withCounts, /<!-- SLOT "documented behaviours covered"[^\n]*\n<section id="documented-behaviours">/);
  assert.ok(readFileSync(join(latest(reports), 'index.html'), 'utf8').includes('<!-- SLOT "documented behaviours covered"'));
});
