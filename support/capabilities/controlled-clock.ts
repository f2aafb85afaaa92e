/**
 * A controlled clock (issue 19): the scenario runs on a proxy of its own
 * (support/capabilities/own-proxy.ts) started under libfaketime, whose clock the
 * scenario moves forward: days pass for the proxy in a moment of real time.
 *
 * The proxy gets LD_PRELOAD=libfaketime and FAKETIME_TIMESTAMP_FILE, a file of the
 * scenario's own in the stack's written directory, which it reads at every clock call
 * (FAKETIME_NO_CACHE=1); the file holds the offset ("+<seconds>"). Both the wall clock
 * and the monotonic clock move, so the proxy's timers (asyncio) that were due in the
 * skipped time run at once, as if that time had passed; its SQLite database
 * (aiosqlite) keeps working (test/controlled-clock.test.ts).
 *
 * A scenario asks for it with the tag @controlled-clock (support/cucumber/tagged-hooks.ts);
 * a step moves the clock with `advance()`.
 */
import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OwnProxy } from './own-proxy.js';
import type { GenroWorld } from '../cucumber/world.js';

/** The environment that runs a proxy on the clock `offsetFile` (as the proxy sees it) sets. */
export function faketimeEnvironment(library: string, offsetFile: string): Record<string, string> {
  return { LD_PRELOAD: library, FAKETIME_TIMESTAMP_FILE: offsetFile, FAKETIME_NO_CACHE: '1' };
}

/** Sets the clock `file` to `seconds` ahead of the real one; the file is replaced whole (rename), so the proxy never reads half of it. */
export function writeClockOffset(file: string, seconds: number): void {
  const next = `${file}.next`;
  writeFileSync(next, `+${seconds}\n`, { mode: 0o644 });
  renameSync(next, file);
}

export class ControlledClock {
  /** How far the proxy's clock is ahead of the real one, in seconds. */
  private offset = 0;
  private file: string | undefined;

  private constructor(private readonly world: GenroWorld) {}

  static forScenario(this: void, world: GenroWorld): ControlledClock {
    return new ControlledClock(world);
  }

  /** Starts the scenario's own proxy on a clock that runs with the real one until advance(). */
  async start(): Promise<void> {
    const provider = this.world.session.provider;
    const written = provider.proxyWrittenDir();
    const dir = mkdtempSync(join(written.forSuite, `clock-${this.world.sid}-`));
    chmodSync(dir, 0o755);
    this.world.teardown.push(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    this.file = join(dir, 'offset');
    writeClockOffset(this.file, 0);
    const library = provider.fakeTimeLibrary();
    const proxy = await this.world.use(OwnProxy.forScenario).start({
      label: 'own-clock',
      environment: faketimeEnvironment(library, `${written.forProxy}/${basename(dir)}/offset`),
    });
    // Without the library the loader says so and runs the proxy on the real clock.
    const refused = proxy.logTail(Number.MAX_SAFE_INTEGER).split('\n').find((line) => line.includes('cannot be preloaded'));
    if (refused) {
      throw new Error(`the proxy runs without its controlled clock: ${refused.trim().replace(/\.$/, '')}. Install libfaketime: \`npm run setup\` (local stack), \`npm run docker:build\` (the proxy image).`);
    }
  }

  /** Moves the proxy's clock forward by `seconds`; it takes effect at the proxy's next clock call. */
  advance(seconds: number): void {
    if (!(seconds > 0)) throw new Error(`the clock only moves forward, not by ${seconds} s`);
    if (!this.file) throw new Error('start the controlled clock first');
    this.offset += seconds;
    writeClockOffset(this.file, this.offset);
  }

  /** How far the proxy's clock is ahead of the real one, in seconds. */
  get aheadSeconds(): number {
    return this.offset;
  }
}
