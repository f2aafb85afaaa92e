/**
 * The clock of the proxy a scenario talks to, against the test process's clock. Pure;
 * unit-tested in test/proxy-clock.test.ts.
 *
 * A proxy on the real clock reads the same time as the test process. A proxy on a
 * controlled clock (support/capabilities/controlled-clock.ts) reads
 *   proxy time = real time × speed − c + offset
 * (libfaketime's "+<offset> x<speed>": its clock runs `speed` times faster from the moment
 * the library was loaded into the proxy's process). `c` is measured from the proxy's own
 * answers (calibrateFromDateHeaders), within a known uncertainty.
 */

export interface ProxyClock {
  /** How many seconds of the proxy's clock pass in one real second. */
  readonly speed: number;
  /** The proxy's time (epoch ms) at the real time `realMs`, as best known. */
  at(realMs: number): number;
  /** How far at() may be off, in ms of the proxy's clock. */
  readonly uncertaintyMs: number;
  /** The real ms that `proxySeconds` of the proxy's clock take. */
  realMsFor(proxySeconds: number): number;
  /** The real time (epoch ms) at which the proxy's clock reads `proxyMs`, as best known. */
  realAt(proxyMs: number): number;
}

export const REAL_CLOCK: ProxyClock = {
  speed: 1,
  at: (realMs) => realMs,
  uncertaintyMs: 0,
  realMsFor: (proxySeconds) => proxySeconds * 1000,
  realAt: (proxyMs) => proxyMs,
};

/** One answer of the proxy: asked at `sentMs`, answered by `receivedMs` (real), its Date header (HTTP date, whole seconds of the proxy's clock). */
export interface DatedAnswer {
  sentMs: number;
  receivedMs: number;
  date: string;
}

/**
 * The proxy's web server (uvicorn) writes the Date header from its own clock, and renews
 * it every 10 ticks of its loop (each a 0.1 s sleep plus the loop's own work). On a clock
 * that runs faster that work counts for more, so the header may be this stale, in ms of the
 * proxy's clock (at 10×, with a client asking every few ms, a bound of 2.5 s proved too small by 0.3 s).
 */
export const DATE_HEADER_STALENESS_MS = 3000;

/**
 * The proxy's clock, `speed` times the real one, measured from the Date headers of its
 * answers. A header that reads S (whole seconds) was written at a proxy time no later than
 * the answer arrived: proxy(received) >= S, so c <= received × speed − S. That bound is
 * sure; the header may be up to 1 s plus DATE_HEADER_STALENESS_MS older than the answer,
 * so c lies within that much below the tightest bound over all answers. The middle of
 * that range is used, and half of it is the uncertainty.
 */
export function calibrateFromDateHeaders(speed: number, answers: DatedAnswer[], offsetSeconds = 0): ProxyClock {
  if (!(speed >= 1)) throw new Error(`a proxy clock runs at least as fast as the real one, not ${speed}×`);
  if (answers.length === 0) throw new Error('no answer of the proxy to read its clock from');
  let high = Infinity;
  for (const { receivedMs, date } of answers) {
    const written = Date.parse(date);
    if (Number.isNaN(written)) throw new Error(`the proxy's answer has no readable Date header: "${date}"`);
    high = Math.min(high, receivedMs * speed - written);
  }
  const uncertaintyMs = (1000 + DATE_HEADER_STALENESS_MS) / 2;
  const c = high - uncertaintyMs;
  const offsetMs = offsetSeconds * 1000;
  return {
    speed,
    at: (realMs) => realMs * speed - c + offsetMs,
    uncertaintyMs,
    realMsFor: (proxySeconds) => (proxySeconds * 1000) / speed,
    realAt: (proxyMs) => (proxyMs + c - offsetMs) / speed,
  };
}
