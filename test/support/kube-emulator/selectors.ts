/** `labelSelector` and `fieldSelector` query parameters, parsed once and matched against objects. */
import { KubeError } from './errors.js';
import { getPath } from './json.js';
import type { KubeObject } from './model.js';

export type Selector = (object: KubeObject) => boolean;

/** Splits on commas outside parentheses (`env in (a,b),tier`). */
function requirements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

function labelRequirement(req: string): Selector {
  const labels = (o: KubeObject) => o.metadata.labels ?? {};
  const set = req.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return op === 'in'
      ? (o) => values.includes(labels(o)[key] ?? '\0')
      : (o) => !values.includes(labels(o)[key] ?? '\0');
  }
  const cmp = req.match(/^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/);
  if (cmp) {
    const [, key = '', op, value = ''] = cmp;
    return op === '!=' ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
  }
  if (/^![^\s!=]+$/.test(req)) return (o) => !(req.slice(1) in labels(o));
  if (/^[^\s!=()]+$/.test(req)) return (o) => req in labels(o);
  throw KubeError.badRequest(`unable to parse requirement: found '${req}', expected: identifier`);
}

/** Any dotted path is accepted (kube-apiserver allows only a few per kind, e.g. `metadata.name`, `status.phase`). */
function fieldRequirement(req: string): Selector {
  const cmp = req.match(/^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/);
  if (!cmp) throw KubeError.badRequest(`invalid selector: '${req}'; can't understand '${req}'`);
  const [, field = '', op, value = ''] = cmp;
  const read = (o: KubeObject) => {
    const v = getPath(o, field.split('.'));
    return v === undefined || v === null ? '' : String(v);
  };
  return op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value;
}

export function parseSelectors(labelSelector: string | null, fieldSelector: string | null): Selector {
  const parts = [
    ...requirements(labelSelector ?? '').map(labelRequirement),
    ...requirements(fieldSelector ?? '').map(fieldRequirement),
  ];
  return (o) => parts.every((p) => p(o));
}

/** `metadata.name=<n>` from a field selector: what `kubectl get -w` and `kubectl wait` watch (local-infra.md §6.2). */
export function selectedName(fieldSelector: string | null): string | undefined {
  for (const req of requirements(fieldSelector ?? '')) {
    const m = req.match(/^metadata\.name\s*==?\s*(.+)$/);
    if (m) return m[1];
  }
  return undefined;
}
