/** Plain-JSON helpers: cloning, equality, paths, RFC 7386 merge patch and RFC 6902 JSON patch. */
import { KubeError } from './errors.js';

export type JsonMap = Record<string, unknown>;

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

export function getPath(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isMap(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Deletes the field at `path` and then any map that this left empty (so no `labels: {}` remains). */
export function deletePath(root: JsonMap, path: readonly string[]): void {
  const parents: JsonMap[] = [root];
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isMap(node)) return;
    node = node[key];
    if (!isMap(node)) return;
    parents.push(node);
  }
  const last = path[path.length - 1];
  const parent = parents[parents.length - 1];
  if (last === undefined || parent === undefined) return;
  delete parent[last];
  for (let i = parents.length - 1; i > 0; i--) {
    const current = parents[i];
    const above = parents[i - 1];
    const key = path[i - 1];
    if (!current || !above || key === undefined || Object.keys(current).length > 0) break;
    delete above[key];
  }
}

/** RFC 7386: maps merge recursively, `null` deletes, anything else (lists included) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return clone(patch);
  const result: JsonMap = isMap(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Strategic merge patch, simplified to a merge patch: directive keys (`$patch`, `$retainKeys`,
 * `$setElementOrder/...`, `$deleteFromPrimitiveList/...`) are dropped and lists are replaced, not merged by key.
 */
export function stripStrategicDirectives(patch: unknown): unknown {
  if (Array.isArray(patch)) return patch.map(stripStrategicDirectives);
  if (!isMap(patch)) return patch;
  const out: JsonMap = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!key.startsWith('$')) out[key] = stripStrategicDirectives(value);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw KubeError.badRequest(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(root: unknown, tokens: string[], path: string): { container: unknown; key: string } {
  const key = tokens[tokens.length - 1];
  if (key === undefined) throw KubeError.badRequest(`cannot operate on the document root: ${path}`);
  let node = root;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(token)] : isMap(node) ? node[token] : undefined;
    if (node === undefined) throw KubeError.unprocessable(`jsonpatch: path ${path} does not exist`);
  }
  return { container: node, key };
}

function readPointer(root: unknown, path: string): unknown {
  let node = root;
  for (const token of pointer(path)) {
    node = Array.isArray(node) ? node[Number(token)] : isMap(node) ? node[token] : undefined;
    if (node === undefined) throw KubeError.unprocessable(`jsonpatch: path ${path} does not exist`);
  }
  return node;
}

function addAt(root: unknown, path: string, value: unknown): void {
  const { container, key } = parentOf(root, pointer(path), path);
  if (Array.isArray(container)) {
    const index = key === '-' ? container.length : Number(key);
    container.splice(index, 0, value);
  } else if (isMap(container)) container[key] = value;
  else throw KubeError.unprocessable(`jsonpatch: cannot add at ${path}`);
}

function removeAt(root: unknown, path: string): void {
  const { container, key } = parentOf(root, pointer(path), path);
  if (Array.isArray(container) && Number(key) < container.length) container.splice(Number(key), 1);
  else if (isMap(container) && key in container) delete container[key];
  else throw KubeError.unprocessable(`jsonpatch: path ${path} does not exist`);
}

/** RFC 6902 on a copy of `doc` (`kubectl patch --type=json`). */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw KubeError.badRequest('a JSON patch must be a list of operations');
  const root = { doc: clone(doc) };
  const at = (p: string) => `/doc${p}`;
  for (const raw of ops as JsonPatchOp[]) {
    switch (raw.op) {
      case 'add':
        addAt(root, at(raw.path), clone(raw.value));
        break;
      case 'remove':
        removeAt(root, at(raw.path));
        break;
      case 'replace':
        removeAt(root, at(raw.path));
        addAt(root, at(raw.path), clone(raw.value));
        break;
      case 'move': {
        const value = readPointer(root, at(raw.from ?? ''));
        removeAt(root, at(raw.from ?? ''));
        addAt(root, at(raw.path), value);
        break;
      }
      case 'copy':
        addAt(root, at(raw.path), clone(readPointer(root, at(raw.from ?? ''))));
        break;
      case 'test':
        if (!deepEqual(readPointer(root, at(raw.path)), raw.value)) {
          throw KubeError.unprocessable(`jsonpatch: test operation failed at ${raw.path}`);
        }
        break;
      default:
        throw KubeError.badRequest(`unknown JSON patch operation: ${String(raw.op)}`);
    }
  }
  return root.doc;
}
