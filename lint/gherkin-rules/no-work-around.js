// gherkin-lint rule: no "work around" anywhere in a feature. What the suite does to get
// past a known defect is plumbing: it lives in a tagged hook (support/cucumber/tagged-hooks.ts).
'use strict';
const { wordRule } = require('./lib/texts.js');

module.exports = wordRule(
  'no-work-around',
  /\bwork[- ]?arounds?\b/i,
  ['names', 'descriptions', 'steps', 'tables'],
  'describes the suite\'s plumbing: move it into a tagged hook',
);
