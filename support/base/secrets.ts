/**
 * The secrets of one scenario: passwords and tokens it makes (random for each run,
 * never written in a feature) and the keys the proxy hands it (tenant API keys).
 * Every value registered here is removed from the scenario's report attachments
 * (support/evidence/evidence.ts), wherever it shows up: API bodies, mail sources, service logs.
 *
 * Reach it as `world.use(ScenarioSecrets.forScenario)`.
 */
import { randomBytes } from 'node:crypto';

/** A random secret (URL-safe base64), new for each call. */
export function randomSecret(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

export class ScenarioSecrets {
  private readonly known = new Map<string, string>();

  static forScenario(this: void): ScenarioSecrets {
    return new ScenarioSecrets();
  }

  /** A new random secret for `purpose` (e.g. "acme's SMTP password"), registered for redaction. */
  make(purpose: string): string {
    return this.register(purpose, randomSecret());
  }

  /** Registers a secret the scenario did not make (a key the proxy returned). */
  register(purpose: string, value: string): string {
    this.known.set(purpose, value);
    return value;
  }

  get(purpose: string): string {
    const value = this.known.get(purpose);
    if (value === undefined) throw new Error(`no secret "${purpose}" in this scenario (known: ${[...this.known.keys()].join(', ') || 'none'})`);
    return value;
  }

  /** Every value, for redaction. */
  get values(): string[] {
    return [...this.known.values()];
  }
}
