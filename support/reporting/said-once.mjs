// Each error said once. The suite says why a run cannot go on in its own words (the stack
// that did not start, the path that does not exist, the run that was interrupted), once,
// in the `acceptance:` line that ends the run. Cucumber would print the same error again,
// with its stack and the stacks of the errors that wrap it, in every worker: 141 to 206
// lines for one sentence. An error handed to alreadySaid() is left out of what is printed
// with console.error (where Cucumber's command line and its workers print such errors),
// with every error that wraps it.
//
// GMP_DEBUG=1 (or true, yes) keeps Cucumber's full output, stack traces included.
//
// Plain JavaScript: the run-report plugin loads it before Cucumber registers its
// TypeScript loader; support/cucumber/hooks.ts uses it too.

const said = new WeakSet();
let filtering = false;

/** True when GMP_DEBUG asks for stack traces. */
export function debugWanted(env = process.env) {
  return /^(1|true|yes|on)$/i.test(String(env.GMP_DEBUG ?? '').trim());
}

/** True when `value`, or an error it wraps (`cause`), has been said already. */
export function wasSaid(value) {
  let e = value;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 20; depth++, e = e.cause) {
    if (said.has(e)) return true;
  }
  return false;
}

/**
 * Marks `error` as said: console.error leaves it out from now on, and every error whose
 * `cause` chain leads to it. Returns the error, to be thrown. Does nothing with GMP_DEBUG.
 */
export function alreadySaid(error, env = process.env) {
  if (debugWanted(env) || error === null || typeof error !== 'object') return error;
  said.add(error);
  if (!filtering) {
    filtering = true;
    const print = console.error;
    console.error = (...args) => {
      if (args.length > 0 && args.every((a) => wasSaid(a))) return;
      print.apply(console, args);
    };
  }
  return error;
}
