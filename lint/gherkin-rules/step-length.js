// gherkin-lint rule: a step, keyword included, is at most `max` characters (120 unless
// configured): a longer one says two things, or says one with plumbing.
'use strict';
const rule = 'step-length';

module.exports = {
  name: rule,
  availableConfigs: { max: 120 },
  run(feature, _file, config) {
    if (!feature) return [];
    const max = (config && config.max) || 120;
    const errors = [];
    for (const child of feature.children) {
      const node = child.background || child.scenario;
      for (const step of node ? node.steps : []) {
        const length = `${step.keyword}${step.text}`.length;
        if (length > max) errors.push({ rule, line: step.location.line, message: `Step is ${length} characters long, more than ${max}: "${step.keyword}${step.text}"` });
      }
    }
    return errors;
  },
};
