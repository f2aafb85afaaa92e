// gherkin-lint rule: no "JSON" in steps, tables or descriptions: the features say what
// the application gets ("an error the application can read"), not how it is encoded.
// Scenario names are left alone: the known-defect ledger and the reports key on them.
'use strict';
const { wordRule } = require('./lib/texts.js');

module.exports = wordRule('no-json', /\bJSON\b/i, ['descriptions', 'steps', 'tables'], 'names an encoding: say what the reader gets');
