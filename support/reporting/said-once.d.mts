/** Types of said-once.mjs (plain JavaScript, loaded before Cucumber's TypeScript loader). */
export function debugWanted(env?: NodeJS.ProcessEnv): boolean;
export function wasSaid(value: unknown): boolean;
export function alreadySaid<T>(error: T, env?: NodeJS.ProcessEnv): T;
