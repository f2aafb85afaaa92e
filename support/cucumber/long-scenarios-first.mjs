// A Cucumber plugin (cucumber.yaml "plugin"): scenarios tagged @long start before the others.
//
// Cucumber hands scenarios to its workers in the order it has them, so a long scenario
// that starts last keeps one worker busy after the rest are done. This reorders the list
// after Cucumber's own ordering, and only moves @long scenarios ahead; within each group the
// order stays as Cucumber made it, so `--order random` still shuffles (each group apart).
// Plain JavaScript: Cucumber loads plugins before its TypeScript loader.
export const LONG_TAG = '@long';

/** Stable: @long first, each group in the order given. */
export function longFirst(pickles) {
  const isLong = (p) => p.pickle.tags.some((t) => t.name === LONG_TAG);
  return [...pickles.filter(isLong), ...pickles.filter((p) => !isLong(p))];
}

export default {
  type: 'plugin',
  coordinator({ transform }) {
    transform('pickles:order', (pickles) => longFirst(pickles));
  },
};
