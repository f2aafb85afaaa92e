/**
 * Every reference in README.md and docs/*.md resolves:
 *  - a Markdown link to a file of the repository points at one that exists, and its
 *    #anchor at a heading of that file (GitHub's heading ids);
 *  - a path in `backticks`, or in a code block, names a file or folder that exists;
 *    a path under reports/ or .stack/ names something the suite's code writes there;
 *    a path under genro_mail_proxy-0.7.0/ names a file of the SUT's sdist, checked when
 *    the local stack has unpacked it (.stack/sut/pypi-0.7.0/source);
 *  - a § reference names a numbered heading of the same page or of docs/sut-0.7.0.md;
 *  - a bare path that is not in the repository may name a file of the release's sdist
 *    (`src/core/…`, `docs/priority_queuing.rst`): it must be there;
 *  - every `sut_ref` of known-defects.yaml names an anchor of docs/sut-0.7.0.md that
 *    exists, and files of the 0.7.0 sdist that exist;
 *  - nothing refers to the "SUT map", which is docs/sut-0.7.0.md now.
 * Node built-ins only.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/base/config.js';

const SDIST_PREFIX = 'genro_mail_proxy-0.7.0/';
const SDIST_DIR = join(ROOT, '.stack', 'sut', 'pypi-0.7.0', 'source');
/** Endings that make a bare name (no slash) a file reference. */
const FILE_ENDINGS = /\.(ts|mjs|js|json|ya?ml|md|sh|py|feature|csv|txt|conf|html|xml|ndjson|svg|log|rst|toml)$/;

/** Folders and files at the top of the repository and of the release's sdist: where a path starts. */
const TOP_LEVEL = new Set([
  ...readdirSync(ROOT),
  '.stack',
  'reports',
  'node_modules',
  ...(existsSync(SDIST_DIR) ? readdirSync(SDIST_DIR) : ['src', 'docs']),
]);

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '.git' || name === '.stack' || name === 'reports') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

const docs = [join(ROOT, 'README.md'), ...(existsSync(join(ROOT, 'docs')) ? files(join(ROOT, 'docs'), (p) => p.endsWith('.md')) : [])];

/** The suite's code, where the names of what it writes under reports/ and .stack/ appear. */
const code = [
  join(ROOT, 'cucumber.yaml'),
  ...files(join(ROOT, 'scripts'), () => true),
  ...files(join(ROOT, 'tools'), (p) => p.endsWith('.ts')),
  ...files(join(ROOT, 'support'), (p) => p.endsWith('.ts')),
]
  .map((p) => readFileSync(p, 'utf8'))
  .join('\n');

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens, -1, -2 for repeats. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const heading of headings(markdown)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function headings(markdown: string): string[] {
  return split(markdown)
    .prose.map(({ text }) => text.match(/^#{1,6}\s+(.*?)\s*#*\s*$/)?.[1])
    .filter((h): h is string => h !== undefined);
}

/** Lines outside ``` fences, and the lines inside them, with their numbers. */
function split(markdown: string): { prose: { line: number; text: string }[]; fenced: { line: number; text: string }[] } {
  const prose: { line: number; text: string }[] = [];
  const fenced: { line: number; text: string }[] = [];
  let inFence = false;
  markdown.split('\n').forEach((text, i) => {
    if (/^\s*```/.test(text)) {
      inFence = !inFence;
      return;
    }
    (inFence ? fenced : prose).push({ line: i + 1, text });
  });
  return { prose, fenced };
}

/** What a path-like token refers to; undefined when it is no file reference. */
function pathOf(token: string): string | undefined {
  const t = token.replace(/^[([`'"]+/, '').replace(/[)\]`'",.:;]+$/, '');
  if (!/^[\p{L}._]/u.test(t) || /\s/.test(t) || t.includes(':') || t.includes('=') || t.startsWith('./')) return undefined;
  if (!t.includes('/') && !FILE_ENDINGS.test(t)) return undefined;
  // A slash with no file ending under a folder that is neither ours nor the release's is a
  // name of something else: an image (axllent/mailpit), a route (tenants/suspend_batch).
  const top = t.split('/')[0]!;
  if (t.includes('/') && !FILE_ENDINGS.test(t) && !TOP_LEVEL.has(top)) return undefined;
  // `reports/logs/<worker>/`, `features/*.feature`: the part before the placeholder.
  const fixed = t.split(/[<*…]/)[0]!.replace(/\/+$/, '');
  return fixed === '' ? undefined : fixed;
}

/** Why `path` (from the repository root) does not resolve, or undefined when it does. */
function problemWith(path: string): string | undefined {
  if (path.startsWith(SDIST_PREFIX)) {
    if (!existsSync(SDIST_DIR)) return undefined; // checked where the SUT is installed
    return existsSync(join(SDIST_DIR, path.slice(SDIST_PREFIX.length))) ? undefined : `not in the 0.7.0 sdist`;
  }
  const [first, second] = path.split('/');
  if (first === 'reports') {
    if (second === undefined) return undefined;
    return code.includes(`reports/${second}`) || code.includes(`'${second}'`) || code.includes(`"${second}"`)
      ? undefined
      : `nothing in the suite's code writes reports/${second}`;
  }
  if (first === '.stack') {
    if (second === undefined) return undefined;
    return code.includes(`$STACK/${second}`) || code.includes(`'.stack', '${second}'`) ? undefined : `nothing in the suite's code puts ${second} in .stack/`;
  }
  if (existsSync(join(ROOT, path))) return undefined;
  // Not ours: a file of the upstream release (the ledger and docs/sut-0.7.0.md cite src/ and docs/ of the sdist).
  if (existsSync(SDIST_DIR) && existsSync(join(SDIST_DIR, path))) return undefined;
  return existsSync(SDIST_DIR) ? 'no such file or folder, here or in the 0.7.0 sdist' : 'no such file or folder (the 0.7.0 sdist is not unpacked: run `npm run setup`)';
}

interface Finding {
  where: string;
  what: string;
  why: string;
}

function check(doc: string): Finding[] {
  const text = readFileSync(doc, 'utf8');
  const name = relative(ROOT, doc);
  const findings: Finding[] = [];
  const { prose, fenced } = split(text);
  const sutDoc = join(ROOT, 'docs', 'sut-0.7.0.md');
  const numbered = new Set(
    [text, existsSync(sutDoc) ? readFileSync(sutDoc, 'utf8') : '']
      .flatMap(headings)
      .map((h) => h.match(/^§?\s*(\d+(?:\.\d+)*)\b/)?.[1])
      .filter((n): n is string => n !== undefined),
  );

  for (const { line, text: lineText } of prose) {
    const where = `${name}:${line}`;
    if (/SUT map/i.test(lineText)) findings.push({ where, what: 'SUT map', why: 'the SUT map is docs/sut-0.7.0.md now' });
    for (const [, section] of lineText.matchAll(/§\s*(\d+(?:\.\d+)*)/g)) {
      if (!numbered.has(section!)) findings.push({ where, what: `§${section}`, why: 'no heading with this number here or in docs/sut-0.7.0.md' });
    }
    const withoutCode = lineText.replace(/`[^`]*`/g, '``');
    for (const [, target] of withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // https:, mailto:
      const [file, anchor] = target!.split('#') as [string, string | undefined];
      const path = file === '' ? doc : resolve(dirname(doc), decodeURIComponent(file));
      if (!existsSync(path)) {
        findings.push({ where, what: target!, why: 'links to a file that does not exist' });
        continue;
      }
      if (anchor !== undefined && path.endsWith('.md') && !anchors(readFileSync(path, 'utf8')).has(anchor)) {
        findings.push({ where, what: target!, why: `no heading with the id "${anchor}" in ${relative(ROOT, path)}` });
      }
    }
    for (const [, span] of lineText.matchAll(/`([^`]+)`/g)) {
      const path = pathOf(span!);
      const why = path === undefined ? undefined : problemWith(path);
      if (why !== undefined) findings.push({ where, what: span!, why });
    }
  }
  for (const { line, text: lineText } of fenced) {
    // Commands: paths with a folder, before any comment. Under reports/ the reader names
    // the files (reports/all.ndjson).
    for (const token of lineText.replace(/(^|\s)#.*$/, '').split(/\s+/)) {
      const path = token.includes('/') ? pathOf(token) : undefined;
      if (path === undefined || path.startsWith('reports/')) continue;
      const why = problemWith(path);
      if (why !== undefined) findings.push({ where: `${name}:${line}`, what: token, why });
    }
  }
  return findings;
}

test('ROOT is the repository root', () => {
  assert.ok(existsSync(join(ROOT, 'package.json')) && existsSync(join(ROOT, 'README.md')), `ROOT (${ROOT}) is not the repository root`);
});

for (const doc of docs) {
  test(`the references in ${relative(ROOT, doc)} resolve`, () => {
    const findings = check(doc);
    assert.deepEqual(findings.map((f) => `${f.where}: ${f.what}: ${f.why}`), []);
  });
}

test('every sut_ref of the ledger resolves: its anchor in docs/sut-0.7.0.md and its files in the 0.7.0 sdist', () => {
  assert.ok(existsSync(SDIST_DIR), 'the 0.7.0 sdist is not unpacked under .stack/: run `npm run setup`');
  const sutAnchors = anchors(readFileSync(join(ROOT, 'docs', 'sut-0.7.0.md'), 'utf8'));
  const ledger = readFileSync(join(ROOT, 'known-defects.yaml'), 'utf8');
  const findings: string[] = [];
  for (const [, ref] of ledger.matchAll(/^\s*sut_ref: "(.*)"\s*$/gm)) {
    for (const [, anchor] of ref!.matchAll(/docs\/sut-0\.7\.0\.md#([\w-]+)/g)) {
      if (!sutAnchors.has(anchor!)) findings.push(`${ref}: no heading "${anchor}" in docs/sut-0.7.0.md`);
    }
    for (const [, file] of ref!.matchAll(/\b((?:src|docs)\/[\w./-]+\.(?:py|rst|md|toml))\b/g)) {
      if (file!.startsWith('docs/sut-0.7.0.md')) continue;
      if (!existsSync(join(SDIST_DIR, file!))) findings.push(`${ref}: ${file} is not in the 0.7.0 sdist`);
    }
  }
  assert.ok(ledger.includes('sut_ref:'), 'the ledger has sut_ref fields');
  assert.deepEqual(findings, []);
});

test('the heading ids follow GitHub', () => {
  assert.deepEqual([...anchors('# The stack\n## `docker`: containers through testcontainers\n## Notes\n## Notes\n')], [
    'the-stack',
    'docker-containers-through-testcontainers',
    'notes',
    'notes-1',
  ]);
});

test('path-like tokens are told apart from the rest', () => {
  assert.equal(pathOf('reports/logs/<worker>/<service>.log'), 'reports/logs');
  assert.equal(pathOf('features/*.feature'), 'features');
  assert.equal(pathOf('(support/stack/):'), 'support/stack');
  assert.equal(pathOf('known-defects.yaml'), 'known-defects.yaml');
  for (const token of ['axllent/mailpit:v1.30.7', '/messages/get', '@aws-sdk/client-s3', 'PUT /api/v1/chaos', 'STACK=docker', '--shard', '1/2', '~/src']) {
    assert.equal(pathOf(token), undefined, token);
  }
});
