/**
 * The one way this suite waits for an asynchronous outcome.
 *
 * `eventually` polls `probe` until `check` accepts what it returned, or the deadline
 * passes. On timeout it throws an error that says what it was waiting for and what
 * it saw last (or the last error the probe threw). No step sleeps for a fixed time.
 *
 * `consistently` is its counterpart for "stays so": it polls for the whole period and
 * fails at the first observation that breaks the expectation.
 */
import { inspect } from 'node:util';

export interface PollOptions {
  /** What is awaited, in words: it opens the timeout message. */
  description: string;
  /** Milliseconds until giving up. */
  timeoutMs: number;
  /**
   * Milliseconds between polls (default 100). eventually() looks less often as a wait grows
   * long (pollPause()); consistently() keeps this pace for the whole period.
   */
  intervalMs?: number;
  /**
   * On timeout, what else a reader needs to find the cause: the nearest things that did
   * happen (the scenario's mails, the reports received, the message's status). Appended
   * after "last seen"; a context that fails says so instead.
   */
  context?: () => Promise<string> | string;
}

export class EventuallyTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastSeen: unknown,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'EventuallyTimeoutError';
  }
}

export function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const text = typeof value === 'string' ? value : inspect(value, { depth: 6, breakLength: 120 });
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} chars)` : text;
}

/**
 * Thrown by a probe to stop polling at once: the outcome can no longer happen
 * (for example, the service being awaited has exited).
 */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

/**
 * Milliseconds this process has spent inside eventually()/consistently(): time spent
 * waiting on the system under test. The benchmark sets it against scenario durations.
 */
let waitedMs = 0;
export function timeSpentWaiting(): number {
  return waitedMs;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls until `check(value)` returns true (or returns without throwing, when it is an
 * assertion function). Returns the accepted value.
 */
export async function eventually<T>(
  options: PollOptions,
  probe: () => Promise<T> | T,
  check: (value: T) => boolean | void = (value) => Boolean(value),
): Promise<T> {
  return accounted((started) => poll({ options, probe, check }, started));
}

/** One wait: what it is for, how to look, and what counts as done (or as still so). */
interface Wait<T> {
  options: PollOptions;
  probe: () => Promise<T> | T;
  check: (value: T) => boolean | void;
}

/** When a wait that began at `started` ends, and how long it pauses between looks. */
function schedule(options: PollOptions, started: number): { deadline: number; interval: number } {
  return { deadline: started + options.timeoutMs, interval: options.intervalMs ?? 100 };
}

/** eventually()'s pause grows to this share of the time it has already waited. */
export const PAUSE_SHARE_OF_WAIT = 0.1;
/** ... but never beyond this (unless `intervalMs` asks for more). */
export const LONGEST_PAUSE_MS = 500;

/**
 * How long eventually() pauses before its next look, `waitedMs` into a wait: `intervalMs`,
 * or a tenth of what it has waited so far once that is longer, at most LONGEST_PAUSE_MS.
 * An outcome is so seen at most 10 % (and at most 0.5 s) later than it happened, and a
 * long wait (a known defect waiting out its deadline) asks the proxy and the sink a few
 * dozen times instead of a hundred. Pure; unit-tested in test/eventually.test.ts.
 */
export function pollPause(intervalMs: number, waitedMs: number): number {
  return Math.max(intervalMs, Math.min(LONGEST_PAUSE_MS, Math.round(waitedMs * PAUSE_SHARE_OF_WAIT)));
}

/** Runs a wait and adds its duration to the time spent waiting on the SUT. */
async function accounted<T>(wait: (started: number) => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await wait(started);
  } finally {
    waitedMs += Date.now() - started;
  }
}

async function poll<T>({ options, probe, check }: Wait<T>, started: number): Promise<T> {
  const { deadline, interval } = schedule(options, started);
  let attempts = 0;
  let last: { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | undefined;
  let lastRejection: unknown;
  for (;;) {
    attempts += 1;
    try {
      const value = await probe();
      last = { kind: 'value', value };
      try {
        const verdict = check(value);
        if (verdict === undefined || verdict === true) return value;
        lastRejection = undefined;
      } catch (assertion) {
        lastRejection = assertion;
      }
    } catch (error) {
      if (error instanceof GiveUp) {
        throw new Error(`Gave up waiting for ${options.description}: ${error.message}`);
      }
      last = { kind: 'error', error };
    }
    const now = Date.now();
    if (now >= deadline) break;
    await pause(Math.min(pollPause(interval, now - started), deadline - now));
  }
  const seen =
    last === undefined
      ? 'nothing (the probe never returned)'
      : last.kind === 'error'
        ? `the probe failed: ${describeValue(last.error)}`
        : describeValue(last.value);
  const why = lastRejection ? `\nlast check said: ${describeValue(lastRejection)}` : '';
  const nearby = options.context ? `\n${await describeContext(options.context)}` : '';
  throw new EventuallyTimeoutError(
    `Timed out after ${options.timeoutMs} ms (${attempts} attempts) waiting for ${options.description}.\nlast seen: ${seen}${why}${nearby}`,
    last?.kind === 'value' ? last.value : last?.kind === 'error' ? last.error : undefined,
    attempts,
  );
}

async function describeContext(context: () => Promise<string> | string): Promise<string> {
  try {
    return await context();
  } catch (error) {
    return `(what happened nearby could not be read: ${describeValue(error)})`;
  }
}

/**
 * Polls for the whole of `options.timeoutMs` and fails as soon as `check` rejects an
 * observation. Use it to state that something does *not* happen during a period that
 * the scenario derives from the SUT's own timings (e.g. several send-loop intervals).
 */
export async function consistently<T>(
  options: PollOptions,
  probe: () => Promise<T> | T,
  check: (value: T) => boolean | void,
): Promise<T> {
  return accounted((started) => watch({ options, probe, check }, started));
}

async function watch<T>({ options, probe, check }: Wait<T>, started: number): Promise<T> {
  const { deadline, interval } = schedule(options, started);
  let value: T;
  for (;;) {
    value = await probe();
    let ok: boolean;
    let reason = '';
    try {
      const verdict = check(value);
      ok = verdict === undefined || verdict === true;
    } catch (assertion) {
      ok = false;
      reason = `\ncheck said: ${describeValue(assertion)}`;
    }
    if (!ok) {
      throw new Error(`Expected ${options.description} for ${options.timeoutMs} ms, but it changed.\nseen: ${describeValue(value)}${reason}`);
    }
    const now = Date.now();
    if (now >= deadline) return value;
    await pause(Math.min(interval, deadline - now));
  }
}
