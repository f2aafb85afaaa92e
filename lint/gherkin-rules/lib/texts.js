// The texts of a parsed feature that a product owner reads, each with its line and where
// it is, so that a rule can look for words that do not belong there. Not a rule itself:
// gherkin-lint loads only the *.js files directly in lint/gherkin-rules.
'use strict';

/**
 * @param feature the feature as gherkin-lint parses it
 * @param parts which texts: 'names' (of the feature and its scenarios), 'descriptions',
 *   'steps' (step text and doc strings) and 'tables' (every cell of a step's data table)
 */
function textsOf(feature, parts) {
  const out = [];
  const wants = (part) => parts.includes(part);
  const add = (where, line, text) => {
    if (text && text.trim()) out.push({ where, line, text });
  };
  const named = (node, kind) => {
    if (wants('names')) add(`${kind} name`, node.location.line, node.name);
    if (wants('descriptions') && node.description) {
      node.description.split('\n').forEach((text, i) => add(`${kind} description`, node.location.line + 1 + i, text));
    }
  };
  named(feature, 'Feature');
  for (const child of feature.children) {
    const node = child.background || child.scenario;
    if (!node) continue;
    named(node, child.background ? 'Background' : 'Scenario');
    for (const step of node.steps) {
      if (wants('steps')) {
        add('step', step.location.line, step.text);
        if (step.docString) add('doc string', step.docString.location.line, step.docString.content);
      }
      if (wants('tables') && step.dataTable) {
        for (const row of step.dataTable.rows) for (const cell of row.cells) add('table cell', row.location.line, cell.value);
      }
    }
  }
  return out;
}

/** A rule that reports every text of the given parts that matches `pattern`. */
function wordRule(name, pattern, parts, why) {
  return {
    name,
    run(feature) {
      if (!feature) return [];
      return textsOf(feature, parts)
        .filter(({ text }) => pattern.test(text))
        .map(({ where, line, text }) => ({ rule: name, line, message: `${where} "${text.trim()}" ${why} (${text.match(pattern)[0]})` }));
    },
  };
}

module.exports = { textsOf, wordRule };
