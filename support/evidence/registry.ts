/**
 * Evidence from the services the bounce, attachment, large-file and PEC scenarios talk
 * to (IMAP mailboxes, the report receiver, the attachment file server), attached to the
 * report when a scenario fails. World objects register what they can tell at first use;
 * support/evidence/registry-hooks.ts attaches it (failed scenarios only) and then runs their
 * clean-ups. Independent of the order of After hooks: what it reads survives teardown.
 */
import type { GenroWorld } from '../cucumber/world.js';

interface Entry {
  title: string;
  collect?: () => Promise<string> | string;
  cleanup?: () => void;
}

const registry = new WeakMap<GenroWorld, Map<string, Entry>>();

/** Registers (once per key) evidence to attach if the scenario fails, and a clean-up that always runs. */
export function registerEvidence(world: GenroWorld, key: string, entry: Entry): void {
  let entries = registry.get(world);
  if (!entries) {
    entries = new Map();
    registry.set(world, entries);
  }
  if (!entries.has(key)) entries.set(key, entry);
}

/** The scenario's evidence, collected now; a collector that fails says so instead. */
export async function collectEvidence(world: GenroWorld): Promise<{ title: string; body: string }[]> {
  const out: { title: string; body: string }[] = [];
  for (const entry of registry.get(world)?.values() ?? []) {
    if (!entry.collect) continue;
    try {
      out.push({ title: entry.title, body: await entry.collect() });
    } catch (error) {
      out.push({ title: entry.title, body: `could not be collected: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return out;
}

export function runEvidenceCleanups(world: GenroWorld): void {
  for (const entry of registry.get(world)?.values() ?? []) entry.cleanup?.();
  registry.delete(world);
}
