// The run's reports, for every way of running Cucumber (`npm run acceptance`, plain
// `npx cucumber-js`, any profile): a Cucumber plugin (cucumber.yaml "plugin").
//
//  - When the run starts, it gets a folder of its own, reports/runs/<run id>/
//    (support/reporting/run-folder.mjs), and reports/latest points at it with a
//    "no verdict yet" verdict, so an earlier run's verdict never stands for this one.
//    A run that cannot write there stops at once and says so.
//  - While it runs, Cucumber's messages, its HTML report and the JUnit XML go into that
//    folder. Cucumber's own `format` targets are fixed paths, which two runs at once
//    would share, so this plugin writes the run's files itself, with Cucumber's own
//    formatters (html, and junit through support/reporting/junit-known-defects.mjs).
//  - When Cucumber is about to exit, tools/ledger/run-report.ts judges the run on the
//    messages in its folder and writes the verdict and the page (index.html); the verdict
//    is printed, ending with its two lines. If the verdict fails a run that Cucumber
//    passed, the plugin fails it too, so `npx cucumber-js` and `npm run acceptance`
//    exit 0 for exactly the same runs.
//  - A run that ends early (an error while loading, a bad --tags expression, a feature
//    path that does not exist, a stack that does not start, Ctrl-C) leaves "no verdict"
//    and the reason in its folder, and ends with the line `acceptance: no verdict:
//    <reason>`, printed once (support/reporting/said-once.mjs keeps Cucumber from printing
//    the same error again with its stack traces; GMP_DEBUG=1 keeps them).
//
// Plain JavaScript: Cucumber loads plugins before it registers its TypeScript loader.
import { closeSync, createWriteStream, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import junitKnownDefects from './junit-known-defects.mjs';
import { newRunId, openRunFolder, pointLatest, pruneRuns, reportsRoot, writeNoVerdict } from './run-folder.mjs';
import { alreadySaid } from './said-once.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * Cucumber's HTML report, as a formatter plugin that writes into the run's folder: the
 * messages go to the public stream of @cucumber/html-formatter, the package behind
 * Cucumber's own `html` formatter (which is reachable only through Cucumber's internal lib/).
 */
const htmlFormatter = {
  type: 'formatter',
  formatter({ on, write }) {
    const html = new CucumberHtmlStream();
    on('message', (message) => html.write(message));
    html.on('data', (chunk) => write(chunk));
    return async () => {
      html.end();
      await finished(html);
    };
  },
};

/** Runs a formatter plugin on a file of the run's folder; the caller feeds it the messages. */
async function fileFormatter(plugin, path, logger, onError) {
  const stream = createWriteStream(path);
  stream.on('error', onError);
  const handlers = [];
  const cleanup = await plugin.formatter({
    on: (key, handler) => key === 'message' && handlers.push(handler),
    options: {},
    logger,
    stream,
    write: (chunk) => stream.write(chunk),
    directory: dirname(path),
  });
  return {
    message: (envelope) => handlers.forEach((handler) => handler(envelope)),
    async close() {
      if (typeof cleanup === 'function') await cleanup();
      await new Promise((resolve) => stream.end(resolve));
    },
  };
}

/** The messages, written as they come (synchronously: a run that dies keeps what it emitted). */
function messagesFile(path) {
  const fd = openSync(path, 'w');
  return {
    message: (envelope) => writeSync(fd, `${JSON.stringify(envelope)}\n`),
    async close() {
      closeSync(fd);
    },
  };
}

function commandLine(argv = process.argv) {
  const args = argv.slice(2).map((a) => (/^[\w@./:=,+-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return ['cucumber-js', ...args].join(' ');
}

function firstLines(text, n = 20) {
  return String(text)
    .split('\n')
    .filter((l) => !/^\s+at\s/.test(l))
    .slice(0, n)
    .join('\n')
    .trim();
}

/** What had happened when a run ended early, in words. */
function earlyEnd(progress, code) {
  switch (progress.phase) {
    case 'loading':
      return `Cucumber stopped while loading the support code (exit code ${code}): a step definition or support file failed to load. Its error is in Cucumber's output.`;
    case 'selecting':
      return `Cucumber stopped while reading the features and selecting the scenarios (exit code ${code}): a bad --tags expression or --name pattern? Its error is in Cucumber's output.`;
    case 'running':
      if (progress.startFailure !== undefined) return `the stack did not start, so no scenario ran (a BeforeAll hook failed):\n${progress.startFailure}`;
      return `the run stopped before it finished (exit code ${code}${code === 130 ? ': interrupted' : ''}): interrupted, or it crashed. See Cucumber's output.`;
    default:
      return `the run ended while its reports were being written (exit code ${code}).`;
  }
}

export default {
  type: 'plugin',
  async coordinator({ operation, on, transform, logger, environment }) {
    if (operation !== 'runCucumber') return undefined;
    const root = reportsRoot(environment.env, environment.cwd);
    const id = environment.env.ACCEPTANCE_RUN_ID || newRunId();
    const dir = openRunFolder(root, id); // ReportsNotWritable stops the run here: it could not keep its results.
    const run = { id, started: new Date().toISOString(), pid: process.pid, command: commandLine() };
    writeFileSync(join(dir, 'run.json'), `${JSON.stringify({ ...run, cwd: environment.cwd }, null, 2)}\n`);
    writeNoVerdict(dir, {
      run,
      state: 'in-progress',
      reason: `this run (process ${run.pid}) has not finished. If it is no longer running, it ended early: interrupted, or it crashed.`,
    });
    pointLatest(root, dir);
    pruneRuns(root, dir);
    // Tells the hooks, in this process and in the workers (forked with process.env), that
    // this plugin says why a run ends early: support/cucumber/hooks.ts then keeps Cucumber
    // from printing a stack that does not start once per worker. A profile without this
    // plugin gets Cucumber's own output.
    process.env.GMP_RUN_FOLDER = dir;

    /** How far the run got, for the reason of an early end. */
    const progress = { phase: 'loading', startFailure: undefined, success: undefined };
    let concluded = false;
    /** Writes "no verdict" and the reason into the run's folder, and says it, once. */
    const noVerdict = (reason, { state = 'no-verdict', exitCode = 1, newLine = false } = {}) => {
      if (concluded) return;
      concluded = true;
      try {
        writeNoVerdict(dir, { run, reason, state, exitCode, said: true });
      } catch {
        // Nothing more can be written; it is still said.
      }
      // After a signal, the progress formatter may be in the middle of its line.
      process.stdout.write(`${newLine ? '\n' : ''}acceptance: no verdict: ${reason}\n`);
    };
    const onExit = (code) => noVerdict(earlyEnd(progress, code));
    process.on('exit', onExit);
    for (const signal of ['SIGINT', 'SIGTERM']) {
      const onSignal = () => {
        noVerdict(`the run was interrupted (${signal}) before it finished.`, { newLine: true });
        process.off(signal, onSignal);
        // Nobody else handles it (the stack's processes do, where a stack runs): Node's own ending.
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      };
      process.on(signal, onSignal);
    }

    let writeError;
    const files = [
      messagesFile(join(dir, 'cucumber-messages.ndjson')),
      await fileFormatter(htmlFormatter, join(dir, 'cucumber-report.html'), logger, (e) => (writeError = e)),
      await fileFormatter(junitKnownDefects, join(dir, 'cucumber-junit.xml'), logger, (e) => (writeError = e)),
    ];

    on('message', (envelope) => {
      if (envelope.meta) progress.phase = 'selecting';
      else if (envelope.testRunStarted) progress.phase = 'running';
      else if (envelope.testRunHookFinished?.result?.status === 'FAILED' && progress.startFailure === undefined) {
        progress.startFailure = firstLines(envelope.testRunHookFinished.result.message ?? 'a BeforeAll hook failed');
      } else if (envelope.testRunFinished) {
        progress.phase = 'finishing';
        progress.success = envelope.testRunFinished.success;
      }
      for (const file of files) file.message(envelope);
    });

    // A feature path that does not exist selects nothing: Cucumber would still start the
    // stack and pass the run with 0 scenarios.
    on('paths:resolve', ({ unexpandedSourcePaths = [], sourcePaths = [] }) => {
      const given = unexpandedSourcePaths.map((p) => p.replace(/(:\d+)*$/, ''));
      const missing = given.filter((p) => !/[*?[\]{}]/.test(p) && !existsSync(resolve(environment.cwd, p)));
      if (missing.length === 0 && sourcePaths.length > 0) return;
      const reason =
        missing.length > 0
          ? `${missing.join(', ')}: no such feature file or folder (paths are relative to ${environment.cwd}), so nothing was tested.`
          : `no feature file matches ${given.join(', ')} (in ${environment.cwd}), so nothing was tested.`;
      noVerdict(reason);
      throw alreadySaid(new Error(`No verdict: ${reason}`), environment.env);
    });

    transform('pickles:filter', (pickles) => {
      if (pickles.length > 0) return undefined;
      const reason = 'no scenario matches the feature paths, --tags and --name given, so nothing was tested.';
      noVerdict(reason);
      throw alreadySaid(new Error(`No verdict: ${reason}`), environment.env);
    });

    return async () => {
      for (const file of files) await file.close();
      if (concluded) return;
      let outcome;
      try {
        const { finishRun } = await import(pathToFileURL(join(ROOT, 'tools/ledger/run-report.ts')).href);
        outcome = finishRun({ dir, run, env: environment.env, cucumberSuccess: progress.success });
      } catch (error) {
        noVerdict(`the run could not be judged: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      process.off('exit', onExit);
      if (outcome.state === 'judged') {
        concluded = true;
        process.stdout.write(`${outcome.text}\n`);
      } else {
        noVerdict(outcome.reason, { state: outcome.state, exitCode: outcome.exitCode });
      }
      if (writeError !== undefined) throw new Error(`this run's reports could not be written in ${dir}: ${writeError.message}`);
      if (outcome.exitCode !== 0 && progress.success === true) {
        throw new Error(outcome.state === 'judged' ? 'the verdict fails this run (see above), though no step failed' : `no verdict: ${outcome.reason}`);
      }
    };
  },
};
