import type { V1LabelSelector } from "@kubernetes/client-node";

type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelRequirement {
  key: string;
  operator: Operator;
  values: string[];
}

/** What callers may pass where a selector is expected: the string form, plain match labels, or a LabelSelector. */
export type LabelSelectorInput = string | Record<string, string> | V1LabelSelector;

/**
 * Parses the string form used in URLs and kubectl (`a=b,c!=d,e in (x,y),f notin (z),g,!h`). Throws on
 * malformed input so a typo never silently selects everything.
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const term of splitTerms(selector)) {
    const setMatch = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (setMatch) {
      const values = setMatch[3]!
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      requirements.push({ key: setMatch[1]!, operator: setMatch[2] === "in" ? "In" : "NotIn", values });
      continue;
    }
    const equality = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
    if (equality) {
      const operator = equality[2] === "!=" ? "NotIn" : "In";
      requirements.push({ key: equality[1]!, operator, values: [equality[3]!] });
      continue;
    }
    const existence = /^(!?)([^\s!=()]+)$/.exec(term);
    if (existence) {
      requirements.push({
        key: existence[2]!,
        operator: existence[1] ? "DoesNotExist" : "Exists",
        values: [],
      });
      continue;
    }
    throw new Error(`invalid label selector term "${term}" in "${selector}"`);
  }
  return requirements;
}

/** Splits on commas that are not inside a `( ... )` value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of selector) {
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === "," && depth === 0) {
      terms.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  terms.push(current.trim());
  return terms.filter((t) => t !== "");
}

export function selectorRequirements(selector: LabelSelectorInput): LabelRequirement[] {
  if (typeof selector === "string") return parseLabelSelector(selector);
  if (isLabelSelector(selector)) {
    const fromLabels = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
      key,
      operator: "In" as const,
      values: [value],
    }));
    const fromExpressions = (selector.matchExpressions ?? []).map((e) => {
      if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator))
        throw new Error(`unknown label selector operator "${e.operator}"`);
      return { key: e.key, operator: e.operator as Operator, values: e.values ?? [] };
    });
    return [...fromLabels, ...fromExpressions];
  }
  return Object.entries(selector).map(([key, value]) => ({ key, operator: "In" as const, values: [value] }));
}

function isLabelSelector(selector: Record<string, string> | V1LabelSelector): selector is V1LabelSelector {
  const s = selector as Record<string, unknown>;
  return typeof s.matchLabels === "object" || Array.isArray(s.matchExpressions);
}

/** Kubernetes semantics: an empty selector matches everything; NotIn and `!=` match objects without the key. */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: LabelSelectorInput,
): boolean {
  const actual = labels ?? {};
  return selectorRequirements(selector).every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(actual, key);
    switch (operator) {
      case "In":
        return has && values.includes(actual[key]!);
      case "NotIn":
        return !has || !values.includes(actual[key]!);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
    }
  });
}

/** The string form for list and watch URLs. */
export function formatLabelSelector(selector: LabelSelectorInput): string {
  return selectorRequirements(selector)
    .map(({ key, operator, values }) => {
      switch (operator) {
        case "In":
          return values.length === 1 ? `${key}=${values[0]}` : `${key} in (${values.join(",")})`;
        case "NotIn":
          return values.length === 1 ? `${key}!=${values[0]}` : `${key} notin (${values.join(",")})`;
        case "Exists":
          return key;
        case "DoesNotExist":
          return `!${key}`;
      }
    })
    .join(",");
}
