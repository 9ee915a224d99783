import { isRecord } from './object-fields.js';

/**
 * The subset of kubectl's JSONPath that readiness rules need (apply-readiness.md §1 "Custom wait rules":
 * `kubectl wait --for=jsonpath='{…}'=V`):
 *
 *   {.status.phase}                                   field access ("$" root and braces optional)
 *   {.metadata.annotations.example\.com/ready}        "\." is a dot inside a key
 *   {.metadata.annotations['example.com/ready']}      bracket-quoted key
 *   {.status.containerStatuses[0].ready}              index (negative counts from the end)
 *   {.status.replicas[*]}  {.status.*}                every element / every value
 *   {.status.conditions[?(@.type=="Ready")].status}   filter: @-path == or != a literal, or just @-path (exists)
 *
 * Not supported (a JsonPathError says so): recursive descent "..", slices, unions, text around the braces,
 * several {…} groups, functions.
 */
export class JsonPathError extends Error {
  override readonly name = 'JsonPathError';
}

type Literal = string | number | boolean | null;

type Segment =
  | { type: 'key'; key: string }
  | { type: 'index'; index: number }
  | { type: 'wildcard' }
  | { type: 'filter'; path: readonly Segment[]; operator?: '==' | '!='; literal?: Literal };

export interface JsonPath {
  readonly source: string;
  /** Every value the path reaches; empty when a field on the way is missing. */
  evaluate(root: unknown): unknown[];
}

export function compileJsonPath(source: string): JsonPath {
  const segments = parse(source);
  return { source, evaluate: (root) => walk([root], segments) };
}

export function evaluateJsonPath(source: string, root: unknown): unknown[] {
  return compileJsonPath(source).evaluate(root);
}

/** How kubectl prints a result for comparison: strings as they are, anything else as JSON. */
export function jsonPathText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function walk(nodes: readonly unknown[], segments: readonly Segment[]): unknown[] {
  let current = [...nodes];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const node of current) next.push(...step(node, segment));
    current = next;
  }
  return current;
}

function step(node: unknown, segment: Segment): unknown[] {
  switch (segment.type) {
    case 'key':
      return isRecord(node) && Object.hasOwn(node, segment.key) ? [node[segment.key]] : [];
    case 'index': {
      if (!Array.isArray(node)) return [];
      const at = segment.index < 0 ? node.length + segment.index : segment.index;
      return at >= 0 && at < node.length ? [node[at]] : [];
    }
    case 'wildcard':
      if (Array.isArray(node)) return [...node];
      return isRecord(node) ? Object.values(node) : [];
    case 'filter':
      return Array.isArray(node) ? node.filter((element) => matches(element, segment)) : [];
  }
}

function matches(element: unknown, filter: Extract<Segment, { type: 'filter' }>): boolean {
  const found = walk([element], filter.path);
  if (filter.operator === undefined) return found.some((value) => value !== null && value !== undefined);
  const equal = found.some((value) => sameScalar(value, filter.literal ?? null));
  return filter.operator === '==' ? equal : !equal;
}

function sameScalar(value: unknown, literal: Literal): boolean {
  if (literal === null) return value === null;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  return String(value) === String(literal);
}

class Scanner {
  position = 0;
  /** `text` is the part inside the braces; `source` the whole expression, for messages. */
  constructor(
    readonly text: string,
    readonly source: string,
  ) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.position + offset] ?? '';
  }

  take(expected: string): void {
    if (!this.text.startsWith(expected, this.position)) {
      this.fail(`expected "${expected}"`);
    }
    this.position += expected.length;
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.position += 1;
  }

  fail(problem: string): never {
    const rest = this.text.slice(this.position);
    throw new JsonPathError(
      `JSONPath ${JSON.stringify(this.source)}: ${problem} ${rest ? `at ${JSON.stringify(rest)}` : 'at the end'}`,
    );
  }
}

function parse(source: string): Segment[] {
  let body = source.trim();
  if (body.startsWith('{')) {
    if (!body.endsWith('}'))
      throw new JsonPathError(`JSONPath ${JSON.stringify(source)}: missing closing "}"`);
    body = body.slice(1, -1).trim();
    if (body.includes('{') || body.includes('}')) {
      throw new JsonPathError(`JSONPath ${JSON.stringify(source)}: only one {…} expression is supported`);
    }
  }
  const scanner = new Scanner(body, source);
  if (scanner.peek() === '$') scanner.take('$');
  const segments = parseSegments(scanner, false);
  if (!scanner.done) scanner.fail('unexpected character');
  if (segments.length === 0 && body !== '$' && body !== '') scanner.fail('expected a path');
  return segments;
}

/** Inside a filter (`inFilter`), the path ends at an operator or the closing ")". */
function parseSegments(scanner: Scanner, inFilter: boolean): Segment[] {
  const segments: Segment[] = [];
  while (!scanner.done) {
    const char = scanner.peek();
    if (char === '.') {
      if (scanner.peek(1) === '.') scanner.fail('recursive descent ".." is not supported');
      scanner.take('.');
      if (scanner.peek() === '*') {
        scanner.take('*');
        segments.push({ type: 'wildcard' });
      } else {
        segments.push({ type: 'key', key: parseName(scanner) });
      }
    } else if (char === '[') {
      segments.push(parseBracket(scanner));
    } else if (inFilter) {
      break;
    } else {
      scanner.fail('expected "." or "["');
    }
  }
  return segments;
}

function parseName(scanner: Scanner): string {
  let name = '';
  while (!scanner.done) {
    const char = scanner.peek();
    if (char === '\\' && scanner.peek(1) === '.') {
      name += '.';
      scanner.position += 2;
      continue;
    }
    if (char === '.' || char === '[' || char === ' ' || char === ')' || char === '=' || char === '!') break;
    name += char;
    scanner.position += 1;
  }
  if (name === '') scanner.fail('expected a field name');
  return name;
}

function parseBracket(scanner: Scanner): Segment {
  scanner.take('[');
  scanner.skipSpaces();
  let segment: Segment;
  const char = scanner.peek();
  if (char === '*') {
    scanner.take('*');
    segment = { type: 'wildcard' };
  } else if (char === "'" || char === '"') {
    segment = { type: 'key', key: parseQuoted(scanner) };
  } else if (char === '?') {
    segment = parseFilter(scanner);
  } else {
    const digits = /^-?\d+/.exec(scanner.text.slice(scanner.position));
    if (!digits) scanner.fail('expected an index, "*", a quoted key or a filter "?(…)"');
    scanner.position += digits[0].length;
    segment = { type: 'index', index: Number(digits[0]) };
  }
  scanner.skipSpaces();
  if (scanner.peek() === ':' || scanner.peek() === ',') scanner.fail('slices and unions are not supported');
  scanner.take(']');
  return segment;
}

function parseFilter(scanner: Scanner): Segment {
  scanner.take('?');
  scanner.skipSpaces();
  scanner.take('(');
  scanner.skipSpaces();
  scanner.take('@');
  const path = parseSegments(scanner, true);
  scanner.skipSpaces();
  let filter: Segment;
  if (scanner.peek() === ')') {
    filter = { type: 'filter', path };
  } else {
    const operator = scanner.text.slice(scanner.position, scanner.position + 2);
    if (operator !== '==' && operator !== '!=') scanner.fail('expected "==", "!=" or ")" in the filter');
    scanner.position += 2;
    scanner.skipSpaces();
    filter = { type: 'filter', path, operator, literal: parseLiteral(scanner) };
    scanner.skipSpaces();
  }
  scanner.take(')');
  return filter;
}

function parseLiteral(scanner: Scanner): Literal {
  const char = scanner.peek();
  if (char === "'" || char === '"') return parseQuoted(scanner);
  const rest = scanner.text.slice(scanner.position);
  const word = /^(true|false|null|-?\d+(?:\.\d+)?)/.exec(rest);
  if (!word) scanner.fail('expected a quoted string, a number, true, false or null');
  scanner.position += word[0].length;
  if (word[0] === 'true') return true;
  if (word[0] === 'false') return false;
  if (word[0] === 'null') return null;
  return Number(word[0]);
}

function parseQuoted(scanner: Scanner): string {
  const quote = scanner.peek();
  scanner.take(quote);
  let text = '';
  while (!scanner.done && scanner.peek() !== quote) {
    if (scanner.peek() === '\\' && scanner.peek(1) !== '') scanner.position += 1;
    text += scanner.peek();
    scanner.position += 1;
  }
  scanner.take(quote);
  return text;
}
