/**
 * A controlled clock (issue 19): the scenario runs on a proxy of its own
 * (support/capabilities/own-proxy.ts) started under libfaketime, whose clock either the
 * scenario moves forward (days pass for the proxy in a moment of real time) or runs
 * faster than the real one, so that the proxy's minute-scale timers (the per-minute
 * sending limit, the PEC poll, the first retry) take seconds.
 *
 * The proxy gets LD_PRELOAD=libfaketime and FAKETIME_TIMESTAMP_FILE, a file of the
 * scenario's own in the stack's written directory, which it reads at every clock call
 * (FAKETIME_NO_CACHE=1); the file holds the offset and the speed ("+<seconds> x<speed>").
 * Both the wall clock and the monotonic clock move, so the proxy's timers (asyncio) follow
 * its clock; its SQLite database (aiosqlite) keeps working (test/controlled-clock.test.ts).
 *
 * A scenario asks for it with a tag (support/cucumber/tagged-hooks.ts): @controlled-clock
 * (a step moves the clock with `advance()`), or @fast-clock (the clock runs FAST_CLOCK_SPEED
 * times faster). Every proxy the scenario starts runs on it, the one the hook starts or one
 * a step starts with settings of its own; the world's `proxyClock` converts between the
 * test process's time and the proxy's (support/base/proxy-clock.ts).
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { calibrateFromDateHeaders, DATE_HEADER_STALENESS_MS, type DatedAnswer, type ProxyClock } from '../base/proxy-clock.js';
import { OwnProxy } from './own-proxy.js';
import type { ProxyInstance } from '../stack/types.js';
import type { GenroWorld } from '../cucumber/world.js';

/**
 * How many times faster than the real one the proxy's clock runs in a @fast-clock scenario:
 * the one place that says so (docs/performance.md, "The controlled clock", says why 10).
 */
export const FAST_CLOCK_SPEED = 10;

/** The environment that runs a proxy on the clock `offsetFile` (as the proxy sees it) sets. */
export function faketimeEnvironment(library: string, offsetFile: string): Record<string, string> {
  return { LD_PRELOAD: library, FAKETIME_TIMESTAMP_FILE: offsetFile, FAKETIME_NO_CACHE: '1' };
}

/** What the clock file holds: "+<offset>", and " x<speed>" when the clock runs faster. */
export function clockSetting(seconds: number, speed = 1): string {
  if (!Number.isInteger(speed) || speed < 1) throw new Error(`the clock's speed is a whole number, at least 1, not ${speed}`);
  return speed === 1 ? `+${seconds}` : `+${seconds} x${speed}`;
}

/** Sets the clock `file` to `seconds` ahead of the real one (and `speed` times as fast); the file is replaced whole (rename), so the proxy never reads half of it. */
export function writeClockOffset(file: string, seconds: number, speed = 1): void {
  const next = `${file}.next`;
  writeFileSync(next, `${clockSetting(seconds, speed)}\n`, { mode: 0o644 });
  renameSync(next, file);
}

/** How many answers of the proxy the calibration reads, over at least this much of the proxy's clock. */
const CALIBRATION_PROXY_MS = 10_000;

/**
 * Reads the clock of the proxy at `baseUrl`, which should run `speed` times faster than the
 * real one: the Date headers of its health check, asked for every 20 ms over 10 s of its
 * clock (support/base/proxy-clock.ts). Throws if its clock does not run faster.
 */
export async function readProxyClock(baseUrl: string, speed: number, offsetSeconds = 0): Promise<ProxyClock> {
  const answers: DatedAnswer[] = [];
  const began = Date.now();
  while (Date.now() - began < CALIBRATION_PROXY_MS / speed || answers.length < 10) {
    await new Promise((resolve) => setTimeout(resolve, 20)); // asking gently: a busy loop renews the header later
    const sentMs = Date.now();
    const answer = await fetch(`${baseUrl}/health`);
    const receivedMs = Date.now();
    await answer.arrayBuffer();
    const date = answer.headers.get('date');
    if (!date) throw new Error(`the proxy's health check answered without a Date header, so its clock cannot be read (${baseUrl}/health)`);
    answers.push({ sentMs, receivedMs, date });
  }
  // Over 10 s of a clock that runs faster its Date header moves by at least 6 s (the last
  // header may be 1 s plus DATE_HEADER_STALENESS_MS old); on the real clock, by at most 2 s.
  const moved = (Date.parse(answers.at(-1)!.date) - Date.parse(answers[0]!.date)) / 1000;
  const realMs = answers.at(-1)!.receivedMs - answers[0]!.sentMs;
  if (moved < (CALIBRATION_PROXY_MS - 1000 - DATE_HEADER_STALENESS_MS) / 1000) {
    throw new Error(`the proxy's clock does not run ${speed} times faster: its Date header moved by ${moved} s in ${realMs} ms of real time`);
  }
  return calibrateFromDateHeaders(speed, answers, offsetSeconds);
}

export class ControlledClock {
  /** How far the proxy's clock is ahead of the real one, in seconds. */
  private offset = 0;
  private speed = 1;
  private file: string | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ControlledClock {
    return new ControlledClock(world);
  }

  /**
   * Makes every proxy the scenario starts run on this clock, `speed` times as fast as the
   * real one, and starts none.
   */
  runEveryProxy(speed = 1): void {
    if (this.file) throw new Error('this scenario already has a controlled clock');
    const provider = this.world.session.provider;
    const written = provider.proxyWrittenDir();
    const dir = mkdtempSync(join(written.forSuite, `clock-${this.world.sid}-`));
    chmodSync(dir, 0o755);
    this.world.teardown.push(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    this.file = join(dir, 'offset');
    this.speed = speed;
    writeClockOffset(this.file, 0, speed);
    const environment = faketimeEnvironment(provider.fakeTimeLibrary(), `${written.forProxy}/${basename(dir)}/offset`);
    // Its send loop looks for work as often in real time as any other proxy's: on a clock
    // 10 times faster, every 10 times as many of its seconds. Without it, the proxy spends
    // a quarter of a core looking (docs/performance.md, "The controlled clock").
    const sendLoopInterval = speed === 1 ? undefined : this.world.session.config.proxy.sendLoopInterval * speed;
    this.world.use(OwnProxy.forScenario).runOnClock(environment, (instance) => this.started(instance), sendLoopInterval);
  }

  /** Starts the scenario's own proxy on a clock that runs with the real one until advance(). */
  async start(): Promise<void> {
    this.runEveryProxy(1);
    await this.world.use(OwnProxy.forScenario).start({ label: 'own-clock' });
  }

  /** Once a proxy on this clock answers: checks it really runs on it, and reads its clock. */
  private async started(proxy: ProxyInstance): Promise<void> {
    // Without the library the loader says so and runs the proxy on the real clock.
    const refused = proxy.logTail(Number.MAX_SAFE_INTEGER).split('\n').find((line) => line.includes('cannot be preloaded'));
    if (refused) {
      throw new Error(`the proxy runs without its controlled clock: ${refused.trim().replace(/\.$/, '')}. Install libfaketime: \`npm run setup\` (local stack), \`npm run docker:build\` (the proxy image).`);
    }
    if (this.speed === 1) return;
    this.world.proxyClock = await readProxyClock(proxy.endpoint.baseUrl, this.speed, this.offset);
  }

  /** Moves the proxy's clock forward by `seconds`; it takes effect at the proxy's next clock call. */
  advance(seconds: number): void {
    if (!(seconds > 0)) throw new Error(`the clock only moves forward, not by ${seconds} s`);
    if (!this.file) throw new Error('start the controlled clock first');
    if (this.speed !== 1) throw new Error('a clock that runs faster is not moved by steps');
    this.offset += seconds;
    writeClockOffset(this.file, this.offset, this.speed);
  }

  /** How far the proxy's clock is ahead of the real one, in seconds. */
  get aheadSeconds(): number {
    return this.offset;
  }
}
