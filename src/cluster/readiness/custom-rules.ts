import { describeCondition, findCondition } from './conditions.js';
import { compileJsonPath, type JsonPath, JsonPathError, jsonPathText } from './jsonpath.js';
import { annotationOf, generationNotObserved, groupOf, groupOfApiVersion, kindOf } from './object-fields.js';
import type { KubeObject, ReadinessContext, ReadinessRule, Verdict } from './types.js';
import { deletionVerdict, failed, progressing, ready } from './verdicts.js';

/**
 * A readiness rule from the config (`rules:` of apply-ordered). Structurally the config's rule type;
 * declared here so this pure layer does not import the config schema.
 */
export interface CustomReadinessRule {
  /** Only the group counts: the live object may be read in another served version. */
  apiVersion?: string | undefined;
  kind: string;
  condition?: { type: string; status?: string | undefined } | undefined;
  jsonPath?: string | undefined;
  value?: string | undefined;
}

/**
 * Per-object rule, in the syntax of `kubectl wait --for` (apply-readiness.md §1 "Custom wait rules"):
 *
 *   quay-tasks.io/ready-when: "condition=Ready"                       (status defaults to True)
 *   quay-tasks.io/ready-when: "condition=Degraded=False; jsonpath={.status.phase}=Ready"
 *   quay-tasks.io/ready-when: "jsonpath={.status.conditions[?(@.type==\"Synced\")].status}=True"
 *   quay-tasks.io/ready-when: "jsonpath={.status.endpoint}"           (present and not empty)
 *   quay-tasks.io/ready-when: "exists"                                (ready once applied)
 *   quay-tasks.io/failed-when: "condition=Failed; jsonpath={.status.phase}=Error"
 *
 * Clauses are separated by ";". ready-when needs ALL its clauses, failed-when fails on ANY (not
 * terminal: the caller's grace period applies). A failed-when without ready-when adds failure checks
 * to the rule the object would get anyway.
 */
export const READY_WHEN_ANNOTATION = 'quay-tasks.io/ready-when';
export const FAILED_WHEN_ANNOTATION = 'quay-tasks.io/failed-when';

export type Clause =
  | { type: 'exists' }
  | { type: 'condition'; condition: string; status: string }
  | { type: 'jsonPath'; path: JsonPath; value?: string };

export class ReadyWhenSyntaxError extends Error {
  override readonly name = 'ReadyWhenSyntaxError';
}

const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

export function describeClause(clause: Clause): string {
  switch (clause.type) {
    case 'exists':
      return 'exists';
    case 'condition':
      return `condition ${clause.condition}=${clause.status}`;
    case 'jsonPath':
      return clause.value === undefined
        ? `${clause.path.source} set`
        : `${clause.path.source}=${clause.value}`;
  }
}

/**
 * Walks `text` from `start`, skipping quoted parts (a JSONPath filter may hold `;` or braces in quotes),
 * and calls `visit` with each other character's index and the brace depth after it; `visit` returning
 * true stops the walk.
 */
function scanOutsideQuotes(
  text: string,
  start: number,
  visit: (index: number, char: string, depth: number) => boolean,
): void {
  let depth = 0;
  let quote = '';
  for (let i = start; i < text.length; i += 1) {
    const char = text[i] ?? '';
    if (quote) {
      if (char === '\\') i += 1;
      else if (char === quote) quote = '';
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    if (visit(i, char, depth)) return;
  }
}

/** Splits at ";" outside braces and quotes (a JSONPath filter may hold either). */
function splitClauses(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  scanOutsideQuotes(text, 0, (i, char, depth) => {
    if (char === ';' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    return false;
  });
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

function unquote(text: string): string {
  const first = text[0];
  return text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first)
    ? text.slice(1, -1)
    : text;
}

/** Index just past the "}" closing the "{" at `open`, skipping quoted text; -1 when it is not closed. */
function closingBrace(text: string, open: number): number {
  let end = -1;
  scanOutsideQuotes(text, open, (i, char, depth) => {
    if (char === '}' && depth === 0) end = i + 1;
    return end !== -1;
  });
  return end;
}

function parseClause(text: string, allowExists: boolean): Clause {
  if (text === 'exists') {
    if (!allowExists) throw new ReadyWhenSyntaxError('"exists" cannot be a failure clause');
    return { type: 'exists' };
  }
  if (text.startsWith('condition=')) {
    const [condition = '', status = 'True', ...extra] = text.slice('condition='.length).split('=');
    const normalized = CONDITION_STATUSES.find(
      (known) => known.toLowerCase() === status.trim().toLowerCase(),
    );
    if (condition.trim() === '' || extra.length > 0 || normalized === undefined) {
      throw new ReadyWhenSyntaxError(
        `"${text}": expected condition=TYPE or condition=TYPE=True|False|Unknown`,
      );
    }
    return { type: 'condition', condition: condition.trim(), status: normalized };
  }
  if (text.startsWith('jsonpath=')) {
    // kubectl users quote the braces for their shell: jsonpath='{.status.phase}'=Ready.
    let rest = text.slice('jsonpath='.length).trim();
    const shellQuoted = rest.startsWith("'{");
    if (shellQuoted) rest = rest.slice(1);
    const end = rest.startsWith('{') ? closingBrace(rest, 0) : -1;
    if (end < 0)
      throw new ReadyWhenSyntaxError(`"${text}": expected jsonpath={PATH} or jsonpath={PATH}=VALUE`);
    const expression = rest.slice(0, end);
    let tail = rest.slice(end);
    if (shellQuoted) {
      if (!tail.startsWith("'")) throw new ReadyWhenSyntaxError(`"${text}": unbalanced quote`);
      tail = tail.slice(1);
    }
    tail = tail.trim();
    if (tail !== '' && !tail.startsWith('=')) {
      throw new ReadyWhenSyntaxError(`"${text}": expected "=VALUE" after the JSONPath`);
    }
    const path = compileJsonPath(expression);
    return tail === ''
      ? { type: 'jsonPath', path }
      : { type: 'jsonPath', path, value: unquote(tail.slice(1).trim()) };
  }
  throw new ReadyWhenSyntaxError(
    `"${text}": expected exists, condition=TYPE[=STATUS] or jsonpath={PATH}[=VALUE]`,
  );
}

/** Parses an annotation value; throws ReadyWhenSyntaxError or JsonPathError. */
export function parseClauses(text: string, options: { allowExists: boolean }): Clause[] {
  const clauses = splitClauses(text).map((part) => parseClause(part, options.allowExists));
  if (clauses.length === 0) throw new ReadyWhenSyntaxError('no clause given');
  return clauses;
}

/** Throws JsonPathError for a JSONPath outside the supported subset. */
export function clausesOfRule(rule: CustomReadinessRule): Clause[] {
  const clauses: Clause[] = [];
  if (rule.condition) {
    clauses.push({
      type: 'condition',
      condition: rule.condition.type,
      status: rule.condition.status ?? 'True',
    });
  }
  if (rule.jsonPath !== undefined) {
    const path = compileJsonPath(rule.jsonPath);
    clauses.push(
      rule.value === undefined ? { type: 'jsonPath', path } : { type: 'jsonPath', path, value: rule.value },
    );
  }
  return clauses;
}

/** Problems with configured rules, one sentence each, for checking the config before anything is applied. */
export function checkCustomRules(rules: readonly CustomReadinessRule[]): string[] {
  const problems: string[] = [];
  rules.forEach((rule, index) => {
    try {
      if (clausesOfRule(rule).length === 0)
        problems.push(`rules[${index}] (${rule.kind}): set condition or jsonPath`);
    } catch (error) {
      problems.push(
        `rules[${index}] (${rule.kind}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
  return problems;
}

export function rulesMatching(
  object: KubeObject,
  rules: readonly CustomReadinessRule[],
): CustomReadinessRule[] {
  const kind = kindOf(object);
  const group = groupOf(object);
  return rules.filter(
    (rule) =>
      rule.kind === kind && (rule.apiVersion === undefined || groupOfApiVersion(rule.apiVersion) === group),
  );
}

interface ClauseCheck {
  met: boolean;
  seen: string;
}

/**
 * A JSONPath that finds nothing is never met — "all of none" would make a fresh object with an empty
 * status ready at once (apply-readiness.md §5 goal 6, sylva-core MR 6660).
 */
export function checkClause(object: KubeObject, clause: Clause): ClauseCheck {
  switch (clause.type) {
    case 'exists':
      return { met: true, seen: 'exists' };
    case 'condition': {
      const condition = findCondition(object, clause.condition);
      return {
        met: condition?.status === clause.status,
        seen: condition ? describeCondition(condition) : `no ${clause.condition} condition`,
      };
    }
    case 'jsonPath': {
      const found = clause.path.evaluate(object);
      const texts = found.map(jsonPathText);
      const seen = texts.length > 0 ? texts.join(', ') : 'nothing';
      if (clause.value === undefined) {
        const present = found.length > 0 && found.every((value) => value !== null && value !== '');
        return { met: present, seen };
      }
      return { met: texts.length > 0 && texts.every((text) => text === clause.value), seen };
    }
  }
}

/** failed-when clauses only come from the annotation (the config schema has no failure matcher). */
function failureOf(object: KubeObject, failedWhen: readonly Clause[]): Verdict | undefined {
  for (const clause of failedWhen) {
    const check = checkClause(object, clause);
    if (check.met) {
      return failed(`${FAILED_WHEN_ANNOTATION}: ${describeClause(clause)} (${check.seen})`, {
        terminal: false,
      });
    }
  }
  return undefined;
}

/** A rule made of clauses: from the config, or from the object's annotations (`source` says which). */
export function clauseRule(
  readyWhen: readonly Clause[],
  failedWhen: readonly Clause[],
  source: string,
): ReadinessRule {
  return {
    describe: `${source}: ${readyWhen.map(describeClause).join(' and ')}`,
    evaluate(object: KubeObject): Verdict {
      const deleting = deletionVerdict(object);
      if (deleting) return deleting;
      const failure = failureOf(object, failedWhen);
      if (failure) return failure;
      // A condition from the previous generation says nothing about the spec just applied (kapp's
      // supportsObservedGeneration); objects without observedGeneration skip this.
      if (generationNotObserved(object))
        return progressing('waiting for its controller to observe the new generation');
      for (const clause of readyWhen) {
        const check = checkClause(object, clause);
        if (!check.met) return progressing(`waiting for ${describeClause(clause)} (now ${check.seen})`);
      }
      return ready(readyWhen.map(describeClause).join(', '));
    },
  };
}

/** Adds failed-when clauses in front of the rule an object gets anyway. */
export function withFailureClauses(base: ReadinessRule, failedWhen: readonly Clause[]): ReadinessRule {
  return {
    describe: `${base.describe}; fails on ${failedWhen.map(describeClause).join(' or ')}`,
    evaluate(object: KubeObject, context: ReadinessContext): Verdict {
      return failureOf(object, failedWhen) ?? base.evaluate(object, context);
    },
  };
}

/** Stands in for a rule that could not be built: every evaluation fails, terminally, saying why. */
export function brokenRule(problem: string): ReadinessRule {
  return {
    describe: `invalid rule: ${problem}`,
    evaluate: () => failed(`invalid readiness rule: ${problem}`, { terminal: true }),
  };
}

function parseAnnotation(key: string, text: string | undefined, allowExists: boolean): Clause[] {
  if (text === undefined) return [];
  try {
    return parseClauses(text, { allowExists });
  } catch (error) {
    if (error instanceof ReadyWhenSyntaxError || error instanceof JsonPathError) {
      throw new ReadyWhenSyntaxError(`annotation ${key}: ${error.message}`);
    }
    throw error;
  }
}

/** The ready-when / failed-when annotations of an object, parsed; `undefined` when it has neither. */
export function annotationClauses(
  object: KubeObject,
): { readyWhen: Clause[]; failedWhen: Clause[] } | { problem: string } | undefined {
  const readyText = annotationOf(object, READY_WHEN_ANNOTATION);
  const failedText = annotationOf(object, FAILED_WHEN_ANNOTATION);
  if (readyText === undefined && failedText === undefined) return undefined;
  try {
    return {
      readyWhen: parseAnnotation(READY_WHEN_ANNOTATION, readyText, true),
      failedWhen: parseAnnotation(FAILED_WHEN_ANNOTATION, failedText, false),
    };
  } catch (error) {
    if (error instanceof ReadyWhenSyntaxError) return { problem: error.message };
    throw error;
  }
}
