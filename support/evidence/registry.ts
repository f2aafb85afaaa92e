/**
 * The one place where world objects, partners and clients say what a person needs to see
 * when a scenario fails (a mailbox's contents, the delivery reports received, the requests
 * a file server saw). Each registers a source once, at first use; support/evidence/evidence.ts
 * collects them, with the rest of the scenario's evidence, only when the scenario fails.
 * Clean-ups belong on the scenario's teardown stack, not here.
 */
export interface EvidenceSource {
  /** The attachment's title; a function when it counts something known only at the end. */
  title: string | (() => string);
  collect: () => Promise<string> | string;
}

export class EvidenceRegistry {
  private readonly sources = new Map<string, EvidenceSource>();

  /** Registers `source` under `key` unless one is there; true when it was new. */
  add(key: string, source: EvidenceSource): boolean {
    if (this.sources.has(key)) return false;
    this.sources.set(key, source);
    return true;
  }

  /** Every source, collected now; a source that fails says so in its body instead. */
  async collect(): Promise<{ title: string; body: string }[]> {
    const out: { title: string; body: string }[] = [];
    for (const source of this.sources.values()) {
      const title = typeof source.title === 'function' ? source.title() : source.title;
      try {
        out.push({ title, body: await source.collect() });
      } catch (error) {
        out.push({ title, body: `could not be collected: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    return out;
  }
}
