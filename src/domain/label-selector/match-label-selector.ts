import type { LabelSelector, LabelSelectorRequirement } from './parse-label-selector.js';

export type Labels = Readonly<Record<string, string>>;

/**
 * True when `labels` (key → value, keys as stored, e.g. "example.com/env") satisfy every requirement.
 * As in Cloud Controller: notin and != also match resources that do not have the key.
 */
export function matchesSelector(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((requirement) => matchesRequirement(requirement, labels));
}

/** The selector as a reusable filter, e.g. `tasks.filter((task) => predicate(task.labels))`. */
export function toLabelPredicate(selector: LabelSelector): (labels: Labels) => boolean {
  return (labels) => matchesSelector(selector, labels);
}

function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const value = Object.hasOwn(labels, requirement.key) ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'exists':
      return value !== undefined;
    case 'not_exists':
      return value === undefined;
    case 'in':
    case 'equal':
      return value !== undefined && requirement.values.includes(value);
    case 'notin':
    case 'not_equal':
      return !(value !== undefined && requirement.values.includes(value));
  }
}
