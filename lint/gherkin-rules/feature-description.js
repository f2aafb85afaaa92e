// gherkin-lint rule: every Feature has a description (product owners read the features).
'use strict';
const rule = 'feature-description';
module.exports = {
  name: rule,
  run(feature) {
    if (!feature || (feature.description && feature.description.trim())) return [];
    return [{ message: `Feature "${feature.name}" has no description`, rule, line: feature.location.line }];
  },
};
