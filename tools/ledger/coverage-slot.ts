/**
 * SLOT: the "documented behaviours covered" summary on the run's page (tools/ledger/page.ts).
 *
 * To be filled from docs/coverage.md: return, per documentation area, how many behaviours
 * the documentation describes and how many of them scenarios cover. Until it returns
 * something, the page shows nothing in that place.
 */
import type { DocAreaCoverage } from './page.js';

export function documentedBehavioursCovered(): DocAreaCoverage[] | undefined {
  return undefined;
}
