// gherkin-lint rule: no API field names ("sent_ts", "reply_to") and no names of settings'
// environment variables ("GMP_CLIENT_SYNC_URL", "LOAD_MESSAGES") where product owners read;
// the features use product words ("the time it was sent", "reply-to", "the number of messages").
'use strict';
const { wordRule } = require('./lib/texts.js');

module.exports = wordRule(
  'no-field-names',
  /\b(?:[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/,
  ['names', 'descriptions', 'steps', 'tables'],
  'names an API field or a setting\'s variable: say it in product words',
);
