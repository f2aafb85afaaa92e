/**
 * The HTML report renders in a real browser (Debian's Chromium, driven by playwright-core)
 * and shows a scenario name and a known-defect marker with the defect named, and no failed
 * scenario. The report comes from a real run of two scenarios: one that passes and one
 * known defect, which the run reports as skipped (support/cucumber/known-defects.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { chromium } from 'playwright-core';
import { REPORTS_DIR, ROOT } from '../support/base/config.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'html-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cucumber(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/cucumber-js'), args, { cwd: ROOT, stdio: 'ignore' });
    child.on('exit', resolve);
  });
}

test('the HTML report shows scenario names and known defects in Chromium', async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}: run \`npm run setup\` (Debian package chromium)`);
  const html = join(dir, 'report.html');
  const code = await cucumber(['--tags', '@delivery', '--name', 'One message is delivered', '--name', 'carries a Date and a Message-ID', '--format', `html:${html}`]);
  assert.equal(code, 0, 'a confirmed known defect does not fail plain Cucumber');

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    await page.goto(`file://${html}`);
    const passed = page.getByText('One message is delivered with the sender, recipient, subject and body it was given').first();
    const defect = page.getByText('The delivered mail carries a Date and a Message-ID even when the application gives none').first();
    await passed.waitFor({ state: 'visible', timeout: 15_000 });
    await defect.waitFor({ state: 'visible', timeout: 15_000 });
    const marker = page.getByText('@known-defect').first();
    await marker.waitFor({ state: 'visible', timeout: 15_000 });
    // Hook attachments are folded under "N hooks": unfold them, as a reader would.
    const toggles = page.getByText(/^\d+ hooks?$/);
    for (let i = 0; i < 10 && (await toggles.count()) > 0; i += 1) await toggles.first().click();
    const named = page.getByText('Known defect "no-date-no-message-id"').first();
    await named.waitFor({ state: 'visible', timeout: 15_000 });
    await named.scrollIntoViewIfNeeded();
    assert.equal(await page.getByText(/^\d+ failed$/i).count(), 0, 'the report shows no failed scenario');
    await page.screenshot({ path: join(REPORTS_DIR, 'html-report.png'), fullPage: false });
  } finally {
    await browser.close();
  }
});
