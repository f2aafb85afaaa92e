/**
 * Timings of the bounce and PEC scenarios, from the environment. Pure; unit-tested in
 * test/dsn.test.ts.
 *
 *  SUITE_BOUNCE_POLL_INTERVAL  seconds; the poll_interval the suite sets in the proxy's bounce
 *                              configuration (default 1). A bounce must be seen within BOUNCE_POLLS polls.
 *  SUITE_PEC_POLL_INTERVAL     seconds; how often the proxy polls PEC mailboxes. 0.7.0 fixes it at
 *                              60 s (PecReceiver's default); set it for a proxy where it can be configured.
 *                              A receipt must be seen within one poll plus PEC_MARGIN_S.
 */

/** How many poll intervals a working proxy may take to read and record a bounce. */
export const BOUNCE_POLLS = 5;

/** Seconds a working proxy may take, after a PEC poll, to record a receipt. */
export const PEC_MARGIN_S = 10;

function wholeSeconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw} must be a whole number of seconds, at least 1`);
  return value;
}

export function bouncePollInterval(env: NodeJS.ProcessEnv = process.env): number {
  return wholeSeconds(env, 'SUITE_BOUNCE_POLL_INTERVAL', 1);
}

export function pecPollInterval(env: NodeJS.ProcessEnv = process.env): number {
  return wholeSeconds(env, 'SUITE_PEC_POLL_INTERVAL', 60);
}
