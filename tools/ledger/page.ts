/**
 * The run's page for product owners (reports/runs/<run id>/index.html, and reports/index.html
 * for the latest run): plain HTML, no script, no server. It opens with what works, what is a
 * known defect of the release and what is broken, per feature, each with a small bar; then
 * every scenario under its feature with one mark. Pure: unit-tested through a real browser
 * in test/run-page.test.ts.
 */
import type { Classification, JudgedScenario, Verdict } from './verdict.js';
import { summaryLines } from './verdict.js';

/** One area of the documentation and how many of its behaviours scenarios cover. */
export interface DocAreaCoverage {
  area: string;
  documented: number;
  /** Behaviours a scenario checks and the release keeps. */
  covered: number;
  /** Behaviours a scenario checks that are known defects of the release. */
  knownDefect?: number;
}

export interface PageInput {
  verdict: Verdict;
  exitCode: number;
  /** Feature name by feature file uri. */
  featureNames: Record<string, string>;
  sut: { description: string; why: string };
  run: { id: string; started: string; finished: string; command: string };
  /** Counts per doc area from docs/coverage.md (tools/ledger/coverage-slot.ts); the section is left out when absent. */
  documentedBehaviours?: DocAreaCoverage[];
}

export type Mark = 'works' | 'known-defect' | 'broken';

/** What a reader is told about a scenario: it works, it is a known defect of the release, or it is broken. */
export function markOf(classification: Classification): Mark {
  switch (classification) {
    case 'passed':
    case 'unexpected-pass':
      return 'works';
    case 'confirmed':
      return 'known-defect';
    default:
      return 'broken';
  }
}

const MARK_WORDS: Record<Mark, string> = { works: 'works', 'known-defect': 'known defect', broken: 'broken' };
const COLOURS: Record<Mark, string> = { works: '#2e7d32', 'known-defect': '#e0a100', broken: '#c62828' };

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function shorten(text: string, limit = 400): string {
  const t = text.trim();
  return t.length > limit ? `${t.slice(0, limit)}…` : t;
}

interface Counts {
  works: number;
  'known-defect': number;
  broken: number;
}

function count(items: JudgedScenario[]): Counts {
  const c: Counts = { works: 0, 'known-defect': 0, broken: 0 };
  for (const j of items) c[markOf(j.classification)] += 1;
  return c;
}

/** A horizontal bar in three colours: works, known defects, broken; grey for the rest of `total`. */
export function barSvg(c: Counts, label: string, total = c.works + c['known-defect'] + c.broken, width = 240, height = 14): string {
  let x = 0;
  const rects = (['works', 'known-defect', 'broken'] as const)
    .map((mark) => {
      const w = total === 0 ? 0 : (c[mark] / total) * width;
      const rect = w > 0 ? `<rect class="${mark}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="${height}" fill="${COLOURS[mark]}"/>` : '';
      x += w;
      return rect;
    })
    .join('');
  return `<svg class="bar" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title><rect x="0" y="0" width="${width}" height="${height}" fill="#eee"/>${rects}</svg>`;
}

function countsLabel(name: string, c: Counts): string {
  return `${name}: ${plural(c.works, 'scenario works', 'scenarios work')}, ${plural(c['known-defect'], 'known defect', 'known defects')}, ${c.broken} broken`;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short' });
}

function scenarioItem(j: JudgedScenario): string {
  const mark = markOf(j.classification);
  const r = j.result;
  const notes: string[] = [];
  if (j.classification === 'confirmed' && j.entry) {
    notes.push(`<p class="defect">${esc(j.entry.defect)}</p>`);
  } else if (j.classification === 'unexpected-pass' && j.entry) {
    notes.push(`<p class="note">Listed as the known defect "${esc(j.entry.id)}", but it works now: the ledger (known-defects.yaml) needs updating, and until then the run fails.</p>`);
  } else if (j.classification === 'changed-failure') {
    if (j.entry) notes.push(`<p class="defect">Known defect "${esc(j.entry.id)}": ${esc(j.entry.defect)}</p>`);
    notes.push(`<p class="why">${esc(shorten(j.reason))}</p>`);
    if (r.message) notes.push(`<pre class="message">${esc(shorten(r.message))}</pre>`);
  } else if (mark === 'broken') {
    if (r.failingStepDetail) notes.push(`<p class="why">At: ${esc(r.failingStepDetail)}</p>`);
    notes.push(`<pre class="message">${esc(shorten(r.message ?? r.status))}</pre>`);
  }
  const where = `${r.uri}${r.line !== null ? `:${r.line}` : ''}`;
  return `<li class="scenario ${mark}" data-mark="${mark}"><span class="mark">${MARK_WORDS[mark]}</span> <span class="name">${esc(r.name)}</span> <span class="where">${esc(where)}</span>${notes.join('')}</li>`;
}

/** The "documented behaviours covered" summary; nothing when there are no counts. */
export function documentedBehavioursSection(areas: DocAreaCoverage[] | undefined): string {
  if (areas === undefined || areas.length === 0) return '';
  const rows = areas
    .map((a) => {
      const defects = a.knownDefect ?? 0;
      const label = `${a.area}: ${a.covered} of ${a.documented} documented behaviours covered${defects ? `, ${defects} known defects` : ''}`;
      const bar = a.documented === 0 ? '' : barSvg({ works: Math.min(a.covered, a.documented), 'known-defect': defects, broken: 0 }, label, a.documented);
      return `<tr><th scope="row">${esc(a.area)}</th><td>${a.covered} of ${a.documented}</td><td>${defects}</td><td>${a.documented - a.covered - defects}</td><td>${bar}</td></tr>`;
    })
    .join('\n');
  return `<section id="documented-behaviours">
<h2>Documented behaviours covered</h2>
<p>Each behaviour the release's user documentation promises is traced to the scenarios that check it in docs/coverage.md.</p>
<table><thead><tr><th>Documentation area</th><th>Covered</th><th>Known defects</th><th>Not covered</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

function headline(v: Verdict, exitCode: number, c: Counts): string {
  if (exitCode === 0) {
    return c['known-defect'] === 0
      ? 'The run passes: every scenario works.'
      : `The run passes: everything works except ${plural(c['known-defect'], 'known defect', 'known defects')} of this release.`;
  }
  const why: string[] = [];
  if (c.broken > 0) why.push(`${plural(c.broken, 'scenario is', 'scenarios are')} broken`);
  if (v.counts.unexpectedPasses > 0) why.push(`${plural(v.counts.unexpectedPasses, 'known defect works', 'known defects work')} now and the ledger must be updated`);
  if (v.problems.length > 0) why.push(`the run itself had ${plural(v.problems.length, 'problem', 'problems')}`);
  if (v.scenariosRun === 0) why.push('no scenario ran');
  return `The run fails: ${why.join('; ') || 'see the verdict below'}.`;
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.meta{color:#555;margin-top:0}
.verdict{font-size:1.2rem;padding:.6rem 1rem;border-left:6px solid}.verdict.pass{border-color:#2e7d32;background:#edf7ee}.verdict.fail{border-color:#c62828;background:#fdecea}
.counts{display:flex;gap:2rem;list-style:none;padding:0}.counts li{font-size:1.1rem}.counts strong{font-size:2rem;display:block}
.counts .works strong{color:#2e7d32}.counts .known-defect strong{color:#9a6b00}.counts .broken strong{color:#c62828}
table{border-collapse:collapse;margin:1rem 0}th,td{text-align:left;padding:.25rem .75rem;border-bottom:1px solid #ddd;vertical-align:middle}
td.n{text-align:right}
ol.scenarios{list-style:none;padding:0}.scenario{padding:.4rem 0;border-bottom:1px solid #eee}
.mark{display:inline-block;min-width:9rem;font-weight:600;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}
.works .mark{color:#2e7d32}.known-defect .mark{color:#9a6b00}.broken .mark{color:#c62828}
.where{color:#888;font-size:.8rem}.defect,.why,.note{margin:.2rem 0 0 9rem}.defect{color:#6b4c00}
pre.message{margin:.2rem 0 0 9rem;white-space:pre-wrap;background:#fafafa;padding:.4rem;font-size:.85rem}
pre.lines{background:#f4f4f4;padding:.6rem}footer{margin-top:3rem;color:#555;font-size:.9rem}
`;

export function renderPage(input: PageInput): string {
  const { verdict: v, exitCode, sut, run } = input;
  const total = count(v.items);
  const byFeature = new Map<string, JudgedScenario[]>();
  for (const j of v.items) {
    const list = byFeature.get(j.result.uri) ?? [];
    list.push(j);
    byFeature.set(j.result.uri, list);
  }
  const features = [...byFeature.entries()]
    .map(([uri, items]) => ({ uri, name: input.featureNames[uri] || uri, items: [...items].sort((a, b) => (a.result.line ?? 0) - (b.result.line ?? 0)) }))
    .sort((a, b) => a.uri.localeCompare(b.uri));

  const overview = features
    .map((f) => {
      const c = count(f.items);
      return `<tr><th scope="row"><a href="#feature-${slug(f.uri)}">${esc(f.name)}</a></th><td class="n works">${c.works}</td><td class="n known-defect">${c['known-defect']}</td><td class="n broken">${c.broken}</td><td>${barSvg(c, countsLabel(f.name, c))}</td></tr>`;
    })
    .join('\n');

  const details = features
    .map((f) => {
      const c = count(f.items);
      return `<section class="feature" id="feature-${slug(f.uri)}">
<h3>${esc(f.name)}</h3>
<p>${barSvg(c, countsLabel(f.name, c))} ${esc(countsLabel('', c).slice(2))}</p>
<ol class="scenarios">
${f.items.map(scenarioItem).join('\n')}
</ol>
</section>`;
    })
    .join('\n');

  const problems =
    v.problems.length === 0
      ? ''
      : `<section id="problems"><h2>Problems with the run itself</h2><ul>${v.problems.map((p) => `<li><pre class="message">${esc(shorten(p, 800))}</pre></li>`).join('')}</ul></section>`;

  const [first, second] = summaryLines(v.counts);
  const date = formatDate(run.started);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acceptance of ${esc(sut.description)}, ${esc(date)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>What works in ${esc(sut.description)}</h1>
<p class="meta">Acceptance run of ${esc(date)} · run ${esc(run.id)}</p>
</header>

<section id="summary">
<p class="verdict ${exitCode === 0 ? 'pass' : 'fail'}" id="verdict">${esc(headline(v, exitCode, total))}</p>
<ul class="counts">
<li class="works" id="count-works"><strong>${total.works}</strong> ${total.works === 1 ? 'scenario works' : 'scenarios work'}</li>
<li class="known-defect" id="count-known-defects"><strong>${total['known-defect']}</strong> ${total['known-defect'] === 1 ? 'known defect' : 'known defects'} of this release</li>
<li class="broken" id="count-broken"><strong>${total.broken}</strong> broken</li>
</ul>
<h2>By feature</h2>
<table id="features">
<thead><tr><th>Feature</th><th>Works</th><th>Known defect</th><th>Broken</th><th></th></tr></thead>
<tbody>
${overview}
</tbody>
</table>
</section>

<!-- SLOT "documented behaviours covered": counts per doc area from docs/coverage.md, supplied by tools/ledger/coverage-slot.ts; nothing is shown until it returns them. -->
${documentedBehavioursSection(input.documentedBehaviours)}

${problems}
<section id="scenarios">
<h2>Every scenario</h2>
<p>Works: the behaviour the scenario describes is there. Known defect: this release lacks it, as recorded in the project's ledger of known defects (the sentence says what is missing). Broken: it failed in a way nobody recorded: that is what needs attention.</p>
${details}
</section>

<footer>
<pre class="lines">${esc(first)}\n${esc(second)}</pre>
<p>SUT: ${esc(sut.description)}: ${esc(sut.why)}.</p>
<p>Run ${esc(run.id)}: <code>${esc(run.command)}</code>, started ${esc(run.started)}, finished ${esc(run.finished)}; exit code ${exitCode}.</p>
<p>In this folder: <a href="cucumber-report.html">Cucumber's report</a> (each step, and the evidence of a failed scenario) · <a href="verdict.md">verdict.md</a> · <a href="known-defects.md">known-defects.md</a> · <a href="verdict.json">verdict.json</a> · <a href="cucumber-junit.xml">JUnit XML</a> · <a href="cucumber-messages.ndjson">Cucumber messages</a>.</p>
</footer>
</body>
</html>
`;
}
