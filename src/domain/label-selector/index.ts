export { matchesSelector, toLabelPredicate, type Labels } from './match-label-selector.js';
export { LabelSelectorError, MAX_LABEL_SELECTOR_REQUIREMENTS, parseLabelSelector, type LabelSelector, type LabelSelectorOperator, type LabelSelectorRequirement } from './parse-label-selector.js';
