/**
 * The stack of one test process. With `--parallel N` each worker process owns a whole
 * stack of its own (its own Mailpit, proxy, Dovecot, MinIO), so scenarios in different
 * workers never share a mailbox, a chaos setting or a proxy.
 */
import { describeSut, INSTALLED_MANIFEST, installedManifest, loadConfig, readManifest, sutVersionRefusal, type InstalledStack, type SuiteConfig } from '../base/config.js';
import { DockerProvider } from './docker.js';
import { dockerEngineAnswers } from './docker-engine.js';
import { ExternalProvider } from './external.js';
import { LocalProvider } from './local.js';
import { StackStartError } from './services.js';
import { chooseProvider, dockerEngineFactNeeded, StackSelectionError, type MachineFacts, type ProviderChoice } from './select.js';
import { TeardownStack } from '../base/teardown.js';
import type { Endpoints, ProxyInstance, StackProvider } from './types.js';

export interface StackSession {
  choice: ProviderChoice;
  provider: StackProvider;
  endpoints: Endpoints;
  config: SuiteConfig;
  /** A proxy started with test_mode=True (parks until run_now), started on first use. */
  testModeProxy(): Promise<ProxyInstance>;
  /**
   * The worker's instance of a shared object (an HTTP server, a lock), created on first
   * use; register its clean-up on `teardown`, which runs before the stack stops.
   */
  use<T>(create: (session: StackSession) => T): T;
  readonly teardown: TeardownStack;
  /** Stops everything: the session's teardown, then the provider. */
  close(): Promise<void>;
}

/** The SUT the environment asks for must be the one that is installed. */
export function checkInstalledSut(installed: InstalledStack, env: NodeJS.ProcessEnv): void {
  const refusal = sutVersionRefusal(env);
  if (refusal) throw new StackSelectionError(refusal);
  if (env.SUT_SOURCE && installed.sut.version !== 'local') {
    throw new StackStartError(`SUT_SOURCE=${env.SUT_SOURCE} is set, but the installed SUT is ${installed.sut.description}. Run: SUT_SOURCE=${env.SUT_SOURCE} npm run setup`);
  }
  if (env.SUT_VERSION && !env.SUT_SOURCE && installed.sut.version !== env.SUT_VERSION) {
    throw new StackStartError(`SUT_VERSION=${env.SUT_VERSION} is set, but the installed SUT is ${installed.sut.description}. Run: SUT_VERSION=${env.SUT_VERSION} npm run setup`);
  }
}

export function createProvider(choice: ProviderChoice, config: SuiteConfig, env: NodeJS.ProcessEnv, label: string): StackProvider {
  // A release the suite does not run is refused before anything is looked for, built or started.
  const refusal = choice.name === 'external' ? undefined : sutVersionRefusal(env);
  if (refusal) throw new StackSelectionError(refusal);
  switch (choice.name) {
    case 'local': {
      const manifest = installedManifest(env);
      const installed = readManifest(manifest.path);
      if (!installed) {
        throw new StackSelectionError(
          manifest.oneOff === undefined
            ? 'STACK=local, but the local stack is not installed. Run `npm run setup` (it installs into .stack/).'
            : `${manifest.oneOff} is set, but that SUT is not installed. Run: ${manifest.oneOff} npm run setup`,
        );
      }
      checkInstalledSut(installed, env);
      return new LocalProvider(installed, config, label);
    }
    case 'external':
      return new ExternalProvider(env);
    case 'docker':
      return new DockerProvider(config, env, label);
  }
}

/** The facts provider selection needs; the Docker engine is asked only when they matter. */
export async function machineFacts(env: NodeJS.ProcessEnv): Promise<MachineFacts> {
  // The default SUT's stack, or the one-off SUT's the environment asks for: either counts.
  const localInstalled = readManifest(INSTALLED_MANIFEST) !== undefined || readManifest(installedManifest(env).path) !== undefined;
  const dockerEngine = dockerEngineFactNeeded(env, localInstalled) ? await dockerEngineAnswers() : false;
  return { localInstalled, dockerEngine };
}

export async function openStack(label: string, env: NodeJS.ProcessEnv = process.env): Promise<StackSession> {
  const config = loadConfig(env);
  const choice = chooseProvider(env, await machineFacts(env));
  const provider = createProvider(choice, config, env, label);
  const sut = describeSut(env, choice.name);
  // Said once per run: every worker chooses the same way.
  if (label === 'serial' || label === 'worker-0') {
    process.stderr.write(`[stack] provider: ${choice.name} (${choice.reason})\n[stack] SUT: ${sut.description}: ${sut.why}\n`);
  }
  let endpoints: Endpoints;
  try {
    endpoints = await provider.start();
    await provider.checkReachable?.();
  } catch (error) {
    // Stop whatever did start before the failure, then report the failure itself.
    await provider.stop().catch(() => undefined);
    throw error;
  }
  let testMode: Promise<ProxyInstance> | undefined;
  const objects = new Map<unknown, unknown>();
  const teardown = new TeardownStack();
  const session: StackSession = {
    choice,
    provider,
    endpoints,
    config,
    teardown,
    testModeProxy: () => (testMode ??= provider.startProxy({ testMode: true, label: 'test-mode' })),
    use<T>(create: (s: StackSession) => T): T {
      if (!objects.has(create)) objects.set(create, create(session));
      return objects.get(create) as T;
    },
    async close() {
      try {
        await teardown.run();
      } finally {
        await provider.stop();
      }
    },
  };
  return session;
}
