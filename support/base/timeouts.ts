/**
 * Every deadline of the suite, in one place. Pure; unit-tested in test/dsn.test.ts.
 *
 * Cucumber's own limits (a step, a hook, the stack's start) are fixed here. Deadlines for
 * what the proxy must do derive from the suite's settings (support/base/config.ts:
 * SUITE_DELIVERY_TIMEOUT_MS, SUITE_RETRY_DELAYS, SUITE_SEND_LOOP_INTERVAL) through
 * scenarioDeadlines(). The bounce and PEC timings come from the environment:
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

/** A step's limit, unless the step sets its own. */
export const STEP_TIMEOUT_MS = 60_000;
/** The After and AfterAll hooks: evidence, then the scenario's or the stack's teardown. */
export const HOOK_TIMEOUT_MS = 60_000;
/** BeforeAll: Docker mode's first run builds two images and pulls the others before the stack is up. */
export const STACK_START_TIMEOUT_MS = 600_000;

/** A step that waits for a PEC receipt: one poll, the margin, and 30 s for the rest of the step. */
export function pecReceiptStepTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return (pecPollInterval(env) + PEC_MARGIN_S + 30) * 1000;
}

/**
 * A step that waits for a PEC receipt and then watches one more poll (plus the margin)
 * for a repeat of what it recorded or reported.
 */
export function pecReceiptOnceStepTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return (2 * (pecPollInterval(env) + PEC_MARGIN_S) + 30) * 1000;
}

/** What the deadlines of a scenario derive from (SuiteConfig's fields). */
export interface DeadlineSettings {
  deliveryTimeoutMs: number;
  proxy: { retryDelays: number[]; sendLoopInterval: number };
}

/** The deadlines of one scenario, derived from the suite's settings. */
export function scenarioDeadlines(settings: DeadlineSettings) {
  const { deliveryTimeoutMs, proxy } = settings;
  return {
    /** A message reaching the sink, or a status showing in the API. */
    deliveryMs: deliveryTimeoutMs,
    /** A retried message: every configured retry delay, plus a delivery. */
    retryMs: proxy.retryDelays.reduce((a, b) => a + b, 0) * 1000 + deliveryTimeoutMs,
    /** Long enough to see a retry if one were coming: the first retry delay plus a second. */
    retryWindowMs: ((proxy.retryDelays[0] ?? 1) + 1) * 1000,
    /** How long to watch for something that must not happen: 10 send-loop cycles, at least 1 s. */
    quietMs: Math.max(1000, proxy.sendLoopInterval * 10 * 1000),
  };
}

/** A step that waits for the proxy to read bounces: `polls` bounce polls, plus 30 s for the step's own calls. */
export function bounceStepTimeoutMs(polls = BOUNCE_POLLS, env: NodeJS.ProcessEnv = process.env): number {
  return polls * bouncePollInterval(env) * 1000 + 30_000;
}

/**
 * How long the rest of a group held back by a per-minute limit may take, in seconds of the
 * proxy's clock: the limit lets it through within two minutes. A scenario converts it to
 * real time with `world.proxyClock.realMsFor()` (a controlled clock may run faster).
 */
export const SENDING_LIMIT_REST_S = 150;
/** The step that waits for that rest, on the real clock: the deadline plus 30 s for its own checks. */
export const SENDING_LIMIT_STEP_TIMEOUT_MS = SENDING_LIMIT_REST_S * 1000 + 30_000;

/**
 * How long queuing a message may take while the mail server says nothing. The docs give
 * ~30 ms to queue, against ~600 ms for a direct SMTP send (docs/index.rst, "Performance
 * notes"); a proxy that waited for the silent server would wait for its SMTP connection
 * timeout (10 s in 0.7.0's pool). 2 s is far from both, and holds on a loaded machine.
 */
export const QUEUE_ANSWER_MS = 2000;

/** The load scenario (@load, not in the default run): submitting, delivering, checking. */
export const LOAD_TIMEOUTS_MS = { submit: 600_000, deliver: 3_600_000, check: 120_000 } as const;
