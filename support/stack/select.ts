/**
 * Which stack provider a run uses. Pure: the facts about the machine are passed in,
 * so the rules are unit-tested (test/config.test.ts).
 *
 * 1. STACK, when set, decides: local | external | docker. Anything else is an error.
 * 2. Otherwise EXTERNAL_PROXY_URL selects external.
 * 3. Otherwise local, when the local stack is installed (.stack/installed.json).
 * 4. Otherwise docker, when a Docker engine answers.
 * 5. Otherwise an error that lists the ways to get a stack.
 *
 * Asking the Docker engine takes time, so the caller asks only when rule 4 is
 * reached: `dockerEngineFactNeeded` says when.
 */
import { PROVIDER_NAMES, type ProviderName } from './types.js';

export interface MachineFacts {
  localInstalled: boolean;
  /** A Docker engine answered (testcontainers found a working container runtime). */
  dockerEngine: boolean;
}

export interface ProviderChoice {
  name: ProviderName;
  reason: string;
}

export class StackSelectionError extends Error {
  override name = 'StackSelectionError';
}

export const HOW_TO_GET_A_STACK = [
  'Ways to get a stack:',
  '  - local (native processes): run `npm run setup` once (or `npm run acceptance`, which installs what is missing);',
  '  - docker (containers through testcontainers): start a Docker engine with Compose v2 (`docker info` must answer), then run with STACK=docker;',
  '  - external (already running services): set STACK=external and the EXTERNAL_* variables listed in the README.',
].join('\n');

function explicitStack(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.STACK?.trim();
  return value ? value : undefined;
}

/** True when chooseProvider's answer depends on `facts.dockerEngine`. */
export function dockerEngineFactNeeded(env: NodeJS.ProcessEnv, localInstalled: boolean): boolean {
  return explicitStack(env) === undefined && !env.EXTERNAL_PROXY_URL && !localInstalled;
}

export function chooseProvider(env: NodeJS.ProcessEnv, facts: MachineFacts): ProviderChoice {
  const explicit = explicitStack(env);
  if (explicit) {
    if (!(PROVIDER_NAMES as readonly string[]).includes(explicit)) {
      throw new StackSelectionError(
        `STACK=${explicit} is not a stack provider. Use one of: ${PROVIDER_NAMES.join(', ')}.\n${HOW_TO_GET_A_STACK}`,
      );
    }
    return { name: explicit as ProviderName, reason: `STACK=${explicit}` };
  }
  if (env.EXTERNAL_PROXY_URL) {
    return { name: 'external', reason: 'EXTERNAL_PROXY_URL is set' };
  }
  if (facts.localInstalled) {
    return { name: 'local', reason: 'the local stack is installed (.stack/installed.json)' };
  }
  if (facts.dockerEngine) {
    return { name: 'docker', reason: 'the local stack is not installed and a Docker engine answers' };
  }
  throw new StackSelectionError(
    `No stack provider is available: the local stack is not installed and no Docker engine answers.\n${HOW_TO_GET_A_STACK}`,
  );
}
