// Types of long-scenarios-first.mjs (plain JavaScript, for Cucumber's plugin loader).
export const LONG_TAG: string;
export function longFirst<T extends { pickle: { tags: readonly { name: string }[] } }>(pickles: readonly T[]): T[];
declare const plugin: { type: 'plugin'; coordinator(context: { transform: (key: 'pickles:order', fn: (pickles: never[]) => unknown) => void }): void };
export default plugin;
