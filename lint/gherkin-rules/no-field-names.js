// gherkin-lint rule: no API field names ("sent_ts", "reply_to") where product owners
// read; the features use product words ("the time it was sent", "reply-to").
'use strict';
const { wordRule } = require('./lib/texts.js');

module.exports = wordRule(
  'no-field-names',
  /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/,
  ['names', 'descriptions', 'steps', 'tables'],
  'names an API field: say it in product words',
);
