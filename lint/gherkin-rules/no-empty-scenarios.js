// gherkin-lint rule: a Scenario (or Scenario Outline) has at least one step.
'use strict';
const rule = 'no-empty-scenarios';
module.exports = {
  name: rule,
  run(feature) {
    if (!feature) return [];
    const errors = [];
    for (const child of feature.children) {
      const scenario = child.scenario;
      if (scenario && scenario.steps.length === 0) {
        errors.push({ message: `Scenario "${scenario.name}" has no steps`, rule, line: scenario.location.line });
      }
    }
    return errors;
  },
};
