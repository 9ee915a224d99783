/**
 * Tekton Triggers' handling of one HTTP event, re-implemented from tektoncd/triggers for the tests:
 *
 * - the CEL ClusterInterceptor (pkg/interceptors/cel): `filter` must evaluate to true, each overlay's
 *   value goes into `extensions`; the variables are body, header, extensions and requestURL (the
 *   request URI as the EventListener received it). The evaluator covers a small subset of CEL — the
 *   operators, macros and functions tekton/ uses (&&, ||, !, relations, in, has(), size(), indexing,
 *   and Triggers' parseURL/compareSecret plus cel-go's matches/join) with CEL's error semantics
 *   (false && error is false); anything else throws instead of guessing;
 * - TriggerBinding params (pkg/template/event.go, jsonpath.go): `$(body.x)` / `$(extensions.x)` as
 *   relaxed JSONPath over the event, a string rendered as Go's JSON without its quotes, another value as
 *   JSON; a missing key falls back to the TriggerTemplate default or fails;
 * - TriggerTemplate (pkg/template/resource.go): `$(tt.params.x)` and `$(uid)` replaced as raw bytes in
 *   each resource template's JSON.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TektonResource } from './tekton.js';

// ---------------------------------------------------------------------------------------------------
// Go's encoding/json, as Triggers renders binding values.

function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || ch === '<' || ch === '>' || ch === '&' || code === 0x2028 || code === 0x2029)
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
/** json.Marshal of a decoded JSON value: HTML-safe string escapes, map keys sorted. */
export function goJson(value: unknown): string {
  if (typeof value === 'string') return goString(value);
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${goString(k)}:${goJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value ?? null);
}

// ---------------------------------------------------------------------------------------------------
// TriggerBinding: relaxed JSONPath over {body, header, extensions, context}.

export interface TriggerEvent {
  body: unknown;
  header: Record<string, string>;
  extensions: Record<string, unknown>;
  context: { eventID: string };
}

class MissingKey extends Error {}

function jsonPath(event: TriggerEvent, expression: string): string {
  // Only plain field paths (a.b.c): the form tekton/ uses. Anything else is not emulated.
  assert.match(expression, /^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/, `unsupported JSONPath ${expression}`);
  let value: unknown = event;
  for (const field of expression.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !(field in value))
      throw new MissingKey(`${field} is not found`);
    value = (value as Record<string, unknown>)[field];
  }
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value).slice(1, -1);
  return goJson(value);
}

export interface BindingParam {
  name: string;
  value: string;
}
export interface TemplateParam {
  name: string;
  default?: string;
  description?: string;
}

/** applyEventValuesToParams: template defaults, then every binding param with its $() expressions. */
export function resolveParams(
  bindings: BindingParam[],
  templateParams: TemplateParam[],
  event: TriggerEvent,
): Record<string, string> {
  const names = new Set<string>();
  for (const b of bindings) {
    assert.ok(!names.has(b.name), `duplicate param name: ${b.name}`);
    names.add(b.name);
  }
  const all: Record<string, string> = {};
  for (const p of templateParams) if (p.default !== undefined) all[p.name] = p.default;
  for (const b of bindings) {
    let value = b.value;
    for (const m of b.value.matchAll(/\$\(([^)]+)\)/g)) {
      let replacement: string;
      try {
        replacement = jsonPath(event, m[1] ?? '');
      } catch (error) {
        if (!(error instanceof MissingKey) || all[b.name] === undefined) throw error;
        replacement = all[b.name] ?? '';
      }
      value = value.replaceAll(m[0], replacement);
    }
    all[b.name] = value;
  }
  return all;
}

/** The `$(tt.params.x)` names a template's resources use; Triggers' webhook rejects undeclared ones. */
export function templateParamRefs(resourcetemplates: unknown[]): string[] {
  return [
    ...new Set(
      [...JSON.stringify(resourcetemplates).matchAll(/\$\(tt\.params\.([\w.-]+)\)/g)].map((m) => m[1] ?? ''),
    ),
  ];
}

/** ResolveResources: raw replacement in each resource template's JSON, then $(uid). */
export function resolveResources(resourcetemplates: unknown[], params: Record<string, string>): unknown[] {
  const uid = randomUUID();
  return resourcetemplates.map((rt) => {
    let raw = JSON.stringify(rt);
    for (const [name, value] of Object.entries(params)) raw = raw.replaceAll(`$(tt.params.${name})`, value);
    raw = raw.replaceAll('$(uid)', uid);
    return JSON.parse(raw) as unknown;
  });
}

// ---------------------------------------------------------------------------------------------------
// CEL, the subset tekton/ uses.

class CelError {
  constructor(readonly message: string) {}
}
class CelInt {
  constructor(readonly value: number) {}
}
type CelValue = unknown;

type Node =
  | { t: 'lit'; v: CelValue }
  | { t: 'ident'; name: string }
  | { t: 'select'; obj: Node; field: string }
  | { t: 'index'; obj: Node; key: Node }
  | { t: 'call'; fn: string; target?: Node; args: Node[] }
  | { t: 'has'; obj: Node; field: string }
  | { t: 'not'; x: Node }
  | { t: 'bin'; op: string; l: Node; r: Node };

function tokenize(src: string): string[] {
  const tokens: string[] = [];
  const re =
    /\s*(?:('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(\d+)|([A-Za-z_]\w*)|(&&|\|\||==|!=|<=|>=|[<>!().[\],]))/y;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    assert.ok(m, `CEL: unsupported syntax at ${JSON.stringify(src.slice(at, at + 20))}`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
    at = re.lastIndex;
  }
  return tokens;
}

function parse(src: string): Node {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++] ?? '';
  const expect = (tok: string) => assert.equal(next(), tok, `CEL: expected ${tok} in ${src}`);
  const args = (): Node[] => {
    const list: Node[] = [];
    if (peek() === ')') {
      next();
      return list;
    }
    for (;;) {
      list.push(or());
      const tok = next();
      if (tok === ')') return list;
      assert.equal(tok, ',', `CEL: bad argument list in ${src}`);
    }
  };
  const primary = (): Node => {
    const tok = next();
    if (tok === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (/^['"]/.test(tok)) {
      const body = tok.slice(1, -1);
      assert.ok(
        !/\\[^\\'"]/.test(body),
        `CEL: escape sequences other than \\\\, \\' and \\" are not emulated`,
      );
      return { t: 'lit', v: body.replace(/\\(.)/g, '$1') };
    }
    if (/^\d+$/.test(tok)) return { t: 'lit', v: new CelInt(Number(tok)) };
    if (tok === 'true' || tok === 'false') return { t: 'lit', v: tok === 'true' };
    assert.match(tok, /^[A-Za-z_]\w*$/, `CEL: unexpected ${tok} in ${src}`);
    if (peek() === '(') {
      next();
      if (tok === 'has') {
        const arg = or();
        expect(')');
        assert.equal(arg.t, 'select', 'CEL: has() takes a field selection');
        const sel = arg as { t: 'select'; obj: Node; field: string };
        return { t: 'has', obj: sel.obj, field: sel.field };
      }
      return { t: 'call', fn: tok, args: args() };
    }
    return { t: 'ident', name: tok };
  };
  const member = (): Node => {
    let node = primary();
    for (;;) {
      if (peek() === '.') {
        next();
        const field = next();
        assert.match(field, /^[A-Za-z_]\w*$/, `CEL: bad field ${field}`);
        if (peek() === '(') {
          next();
          node = { t: 'call', fn: field, target: node, args: args() };
        } else node = { t: 'select', obj: node, field };
      } else if (peek() === '[') {
        next();
        const key = or();
        expect(']');
        node = { t: 'index', obj: node, key };
      } else return node;
    }
  };
  const unary = (): Node => {
    if (peek() === '!') {
      next();
      return { t: 'not', x: unary() };
    }
    return member();
  };
  const relation = (): Node => {
    const l = unary();
    const op = peek();
    if (op && ['==', '!=', '<', '<=', '>', '>=', 'in'].includes(op)) {
      next();
      return { t: 'bin', op, l, r: unary() };
    }
    return l;
  };
  const and = (): Node => {
    let l = relation();
    while (peek() === '&&') {
      next();
      l = { t: 'bin', op: '&&', l, r: relation() };
    }
    return l;
  };
  function or(): Node {
    let l = and();
    while (peek() === '||') {
      next();
      l = { t: 'bin', op: '||', l, r: and() };
    }
    return l;
  }
  const tree = or();
  assert.equal(i, tokens.length, `CEL: trailing tokens in ${src}`);
  return tree;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !(v instanceof CelInt) &&
  !(v instanceof CelError);
const num = (v: unknown): number | undefined =>
  v instanceof CelInt ? v.value : typeof v === 'number' ? v : undefined;

/** url.Parse of the request URI as Triggers' parseURL maps it (query values joined by ","). */
function parseUrl(raw: string): Record<string, unknown> {
  const m = /^(?:([A-Za-z][\w+.-]*):\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(raw);
  assert.ok(m);
  const queryStrings: Record<string, string[]> = {};
  for (const part of (m[4] ?? '').split('&')) {
    // Go's url.ParseQuery: ';' is refused, a bad escape drops that pair.
    if (part === '' || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const [k, v] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    try {
      const key = decodeURIComponent(k.replaceAll('+', ' '));
      const value = decodeURIComponent(v.replaceAll('+', ' '));
      queryStrings[key] = [...(queryStrings[key] ?? []), value];
    } catch {}
  }
  return {
    scheme: m[1] ?? '',
    host: m[2] ?? '',
    path: m[3] ?? '',
    rawQuery: m[4] ?? '',
    fragment: m[5] ?? '',
    queryStrings,
    query: Object.fromEntries(Object.entries(queryStrings).map(([k, v]) => [k, v.join(',')])),
  };
}

export interface CelContext {
  body: unknown;
  header: Record<string, string[]>;
  extensions: Record<string, unknown>;
  requestURL: string;
  /** Secrets of the EventListener's namespace: name → key → value (compareSecret). */
  secrets: Record<string, Record<string, string>>;
}

function evaluate(node: Node, ctx: CelContext): CelValue {
  switch (node.t) {
    case 'lit':
      return node.v;
    case 'ident': {
      const vars: Record<string, unknown> = {
        body: ctx.body,
        header: ctx.header,
        extensions: ctx.extensions,
        requestURL: ctx.requestURL,
      };
      assert.ok(node.name in vars, `CEL: undeclared reference ${node.name}`);
      return vars[node.name];
    }
    case 'select': {
      const obj = evaluate(node.obj, ctx);
      if (obj instanceof CelError) return obj;
      if (!isMap(obj)) return new CelError(`no such field ${node.field}`);
      return node.field in obj ? obj[node.field] : new CelError(`no such key: ${node.field}`);
    }
    case 'has': {
      const obj = evaluate(node.obj, ctx);
      if (obj instanceof CelError) return obj;
      if (!isMap(obj)) return new CelError(`has() on a non-map`);
      return node.field in obj;
    }
    case 'index': {
      const obj = evaluate(node.obj, ctx);
      const key = evaluate(node.key, ctx);
      if (obj instanceof CelError) return obj;
      if (key instanceof CelError) return key;
      if (isMap(obj) && typeof key === 'string')
        return key in obj ? obj[key] : new CelError(`no such key: ${key}`);
      if (Array.isArray(obj) && key instanceof CelInt)
        return obj[key.value] ?? new CelError(`index out of range: ${key.value}`);
      return new CelError('no such overload for index');
    }
    case 'not': {
      const x = evaluate(node.x, ctx);
      return typeof x === 'boolean' ? !x : x instanceof CelError ? x : new CelError('no such overload: !');
    }
    case 'bin':
      return binary(node, ctx);
    case 'call':
      return call(node, ctx);
  }
}

function binary(node: { op: string; l: Node; r: Node }, ctx: CelContext): CelValue {
  if (node.op === '&&' || node.op === '||') {
    // CEL's commutative logic: false && error == false, true || error == true; otherwise errors win.
    const absorbing = node.op === '||';
    const l = evaluate(node.l, ctx);
    if (l === absorbing) return absorbing;
    const r = evaluate(node.r, ctx);
    if (r === absorbing) return absorbing;
    if (l instanceof CelError) return l;
    if (r instanceof CelError) return r;
    if (typeof l !== 'boolean' || typeof r !== 'boolean') return new CelError(`no such overload: ${node.op}`);
    return !absorbing;
  }
  const l = evaluate(node.l, ctx);
  const r = evaluate(node.r, ctx);
  if (l instanceof CelError) return l;
  if (r instanceof CelError) return r;
  if (node.op === 'in') {
    if (Array.isArray(r)) return r.some((x) => equal(x, l));
    if (isMap(r)) return typeof l === 'string' && l in r;
    return new CelError('no such overload: in');
  }
  if (node.op === '==') return equal(l, r);
  if (node.op === '!=') return !equal(l, r);
  const [a, b] = [num(l), num(r)];
  const strings = typeof l === 'string' && typeof r === 'string';
  if (!strings && (a === undefined || b === undefined)) return new CelError(`no such overload: ${node.op}`);
  const x = strings ? (l as string) : (a as number);
  const y = strings ? (r as string) : (b as number);
  return { '<': x < y, '<=': x <= y, '>': x > y, '>=': x >= y }[node.op] ?? new CelError(node.op);
}

function equal(a: unknown, b: unknown): boolean {
  const [x, y] = [num(a), num(b)];
  if (x !== undefined && y !== undefined) return x === y;
  return JSON.stringify(a) === JSON.stringify(b);
}

const FUNCTIONS = new Set([
  'size/1',
  '.size/0',
  '.parseURL/0',
  '.compareSecret/2',
  '.matches/1',
  '.join/0',
  '.join/1',
]);

function call(node: { fn: string; target?: Node; args: Node[] }, ctx: CelContext): CelValue {
  const signature = `${node.target ? '.' : ''}${node.fn}/${node.args.length}`;
  assert.ok(
    FUNCTIONS.has(signature),
    `CEL: function ${node.fn} with ${node.args.length} argument(s) is not emulated`,
  );
  const values = node.args.map((a) => evaluate(a, ctx));
  const target = node.target ? evaluate(node.target, ctx) : undefined;
  for (const v of [target, ...values]) if (v instanceof CelError) return v;
  const strings = values.every((v) => typeof v === 'string');
  switch (signature) {
    case 'size/1':
    case '.size/0': {
      const x = node.target ? target : values[0];
      if (typeof x === 'string') return new CelInt([...x].length);
      if (Array.isArray(x)) return new CelInt(x.length);
      if (isMap(x)) return new CelInt(Object.keys(x).length);
      return new CelError('no such overload: size');
    }
    case '.parseURL/0':
      if (typeof target !== 'string') return new CelError('no such overload: parseURL');
      return parseUrl(target);
    case '.compareSecret/2': {
      // Two arguments: key, then Secret name, in the EventListener's namespace (triggers.go).
      if (typeof target !== 'string' || !strings) return new CelError('no such overload: compareSecret');
      const [key, name] = values as string[];
      const secret = ctx.secrets[name ?? ''];
      const value = secret?.[key ?? ''];
      if (value === undefined) return new CelError(`failed to find secret ${name}/${key} in compareSecret`);
      return value === target;
    }
    case '.matches/1':
      if (typeof target !== 'string' || !strings) return new CelError('no such overload: matches');
      return new RegExp(values[0] as string, 'u').test(target);
    case '.join/0':
    case '.join/1': {
      if (!Array.isArray(target) || !strings) return new CelError('no such overload: join');
      if (!target.every((x) => typeof x === 'string')) return new CelError('join: a list of strings');
      return target.join((values[0] as string | undefined) ?? '');
    }
    default:
      assert.fail(`CEL: function ${node.fn} with ${values.length} argument(s) is not emulated`);
  }
}

/** Evaluates one CEL expression; a CEL error comes back as { error }. */
export function celEval(expression: string, ctx: CelContext): { value: unknown } | { error: string } {
  const result = evaluate(parse(expression), ctx);
  if (result instanceof CelError) return { error: result.message };
  return { value: result instanceof CelInt ? result.value : result };
}

// ---------------------------------------------------------------------------------------------------
// An EventListener handling one request.

export interface IncomingRequest {
  /** The request URI as the EventListener received it (path and query): Triggers' requestURL. */
  requestURI: string;
  header?: Record<string, string[]>;
  /** The raw body. */
  body: string;
}
export type TriggerOutcome =
  | { trigger: string; accepted: true; params: Record<string, string>; resources: unknown[] }
  | { trigger: string; accepted: false; reason: string };

interface CelInterceptor {
  name?: string;
  ref: { name: string; kind?: string };
  params?: { name: string; value: unknown }[];
}
interface ElTrigger {
  name: string;
  interceptors?: CelInterceptor[];
  bindings?: ({ ref: string; kind?: string } | { name: string; value: string })[];
  template: { ref: string };
}

export function handleEvent(
  eventListener: TektonResource,
  resources: TektonResource[],
  request: IncomingRequest,
  secrets: Record<string, Record<string, string>>,
): TriggerOutcome[] {
  const find = (kind: string, name: string): TektonResource => {
    const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
    assert.ok(found, `no ${kind} ${name}`);
    return found;
  };
  const triggers = (eventListener.spec?.triggers ?? []) as ElTrigger[];
  return triggers.map((trigger): TriggerOutcome => {
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return { trigger: trigger.name, accepted: false, reason: 'failed to parse the body as JSON' };
    }
    const extensions: Record<string, unknown> = {};
    for (const interceptor of trigger.interceptors ?? []) {
      assert.equal(interceptor.ref.name, 'cel', 'only the cel ClusterInterceptor is emulated');
      assert.ok([undefined, 'ClusterInterceptor'].includes(interceptor.ref.kind));
      const param = (name: string) => interceptor.params?.find((p) => p.name === name)?.value;
      const ctx: CelContext = {
        body,
        header: request.header ?? {},
        extensions,
        requestURL: request.requestURI,
        secrets,
      };
      const filter = param('filter');
      if (filter !== undefined) {
        assert.equal(typeof filter, 'string');
        const out = celEval(filter as string, ctx);
        if ('error' in out) return { trigger: trigger.name, accepted: false, reason: out.error };
        if (out.value !== true)
          return {
            trigger: trigger.name,
            accepted: false,
            reason: `expression ${filter} did not return true`,
          };
      }
      for (const overlay of (param('overlays') ?? []) as { key: string; expression: string }[]) {
        assert.ok(!overlay.key.includes('.'), 'nested overlay keys are not emulated');
        const out = celEval(overlay.expression, ctx);
        if ('error' in out) return { trigger: trigger.name, accepted: false, reason: out.error };
        extensions[overlay.key] = out.value;
      }
    }
    const bindingParams: BindingParam[] = [];
    for (const b of trigger.bindings ?? []) {
      if ('ref' in b) {
        assert.ok(b.kind === undefined || b.kind === 'TriggerBinding');
        bindingParams.push(...((find('TriggerBinding', b.ref).spec?.params ?? []) as BindingParam[]));
      } else bindingParams.push(b);
    }
    const template = find('TriggerTemplate', trigger.template.ref);
    const templateParams = (template.spec?.params ?? []) as TemplateParam[];
    const event: TriggerEvent = {
      body,
      header: Object.fromEntries(Object.entries(request.header ?? {}).map(([k, v]) => [k, v.join(',')])),
      extensions,
      context: { eventID: randomUUID() },
    };
    let params: Record<string, string>;
    try {
      params = resolveParams(bindingParams, templateParams, event);
    } catch (error) {
      return { trigger: trigger.name, accepted: false, reason: String(error) };
    }
    return {
      trigger: trigger.name,
      accepted: true,
      params,
      resources: resolveResources(template.spec?.resourcetemplates ?? [], params),
    };
  });
}
