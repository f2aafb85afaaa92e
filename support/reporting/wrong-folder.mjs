// `npx cucumber-js` in a subfolder of the project (features/, step-definitions/) finds no
// configuration of the suite there: Cucumber would run 0 scenarios and exit 0, green with
// nothing tested. These folders hold a cucumber.mjs that imports this module instead: it
// says in one line where to run Cucumber, and the run ends with exit code 1.
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The one line, for a run started in `cwd`. */
export function wrongFolderLine(cwd = process.cwd()) {
  const back = relative(cwd, ROOT) || '.';
  return (
    `acceptance: no verdict: cucumber-js was started in ${cwd}, where the suite has no configuration: ` +
    `run it from the project's root, ${ROOT} (cd ${back}), or use npm run acceptance.`
  );
}

export function refuseToRun(cwd = process.cwd()) {
  process.stdout.write(`${wrongFolderLine(cwd)}\n`);
  process.exit(1);
}
