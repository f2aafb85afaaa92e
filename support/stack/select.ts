/**
 * Which stack provider a run uses. Pure: the facts about the machine are passed in,
 * so the rules are unit-tested (test/select.test.ts).
 *
 * 1. STACK, when set, decides: local | external | docker. Anything else is an error.
 * 2. Otherwise EXTERNAL_PROXY_URL selects external.
 * 3. Otherwise local, when the local stack is installed (.stack/installed.json).
 * 4. Otherwise an error that says how to get a stack.
 */
import { PROVIDER_NAMES, type ProviderName } from './types.js';

export interface MachineFacts {
  localInstalled: boolean;
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
  '  - external (already running services): set STACK=external and the EXTERNAL_* variables listed in the README.',
].join('\n');

export function chooseProvider(env: NodeJS.ProcessEnv, facts: MachineFacts): ProviderChoice {
  const explicit = env.STACK?.trim();
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
  throw new StackSelectionError(`No stack provider is available: the local stack is not installed.\n${HOW_TO_GET_A_STACK}`);
}
