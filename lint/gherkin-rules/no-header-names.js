// gherkin-lint rule: no X-... header names in steps or descriptions ("the X-API-Token
// header"): how a token travels is the suite's business. A data table may still name
// the custom headers a scenario is about, as data.
'use strict';
const { wordRule } = require('./lib/texts.js');

module.exports = wordRule('no-header-names', /\bX-[A-Za-z][\w-]*/, ['names', 'descriptions', 'steps'], 'names a protocol header');
