import type { KubeObject, ObjectRef } from './types.js';

export function isRecord(value: unknown): value is { readonly [field: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parsed JSON → KubeObject, or a TypeError naming what is missing. */
export function asKubeObject(value: unknown): KubeObject {
  if (!isRecord(value)) throw new TypeError('expected a Kubernetes object (a JSON object)');
  if (typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
    throw new TypeError('expected a Kubernetes object with apiVersion and kind');
  }
  return value;
}

export function valueAt(value: unknown, ...path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A string field; `undefined` when absent, not a string, or empty (Go's omitempty makes those one case). */
export function textAt(value: unknown, ...path: readonly string[]): string | undefined {
  const found = valueAt(value, ...path);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

export function numberAt(value: unknown, ...path: readonly string[]): number | undefined {
  const found = valueAt(value, ...path);
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined;
}

/** A counter that Go omits when zero (`omitempty`): absent reads as 0. */
export function countAt(value: unknown, ...path: readonly string[]): number {
  return numberAt(value, ...path) ?? 0;
}

export function arrayAt(value: unknown, ...path: readonly string[]): readonly unknown[] {
  const found = valueAt(value, ...path);
  return Array.isArray(found) ? found : [];
}

export function recordsAt(
  value: unknown,
  ...path: readonly string[]
): { readonly [field: string]: unknown }[] {
  return arrayAt(value, ...path).filter(isRecord);
}

export function kindOf(object: KubeObject): string {
  return textAt(object, 'kind') ?? '';
}

/** The API group: '' for the core group ("v1"), "apps" for "apps/v1". */
export function groupOf(object: KubeObject): string {
  return groupOfApiVersion(textAt(object, 'apiVersion') ?? '');
}

export function groupOfApiVersion(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function nameOf(object: KubeObject): string {
  return textAt(object, 'metadata', 'name') ?? '';
}

export function namespaceOf(object: KubeObject): string | undefined {
  return textAt(object, 'metadata', 'namespace');
}

export function annotationOf(object: KubeObject, key: string): string | undefined {
  const found = valueAt(object, 'metadata', 'annotations', key);
  return typeof found === 'string' ? found : undefined;
}

/** "Subscription openshift-storage/odf-operator" — how an object is named in reasons. */
export function describeObject(object: KubeObject): string {
  const namespace = namespaceOf(object);
  return `${kindOf(object)} ${namespace ? `${namespace}/` : ''}${nameOf(object)}`;
}

export function refTo(
  apiVersion: string,
  kind: string,
  name: string,
  namespace: string | undefined,
): ObjectRef {
  return namespace === undefined ? { apiVersion, kind, name } : { apiVersion, kind, name, namespace };
}

/** True when the controller has written anything under `.status`. */
export function hasStatus(object: KubeObject): boolean {
  const status = object.status;
  return isRecord(status) && Object.keys(status).length > 0;
}

/** `metadata.generation` vs `status.observedGeneration`: true while the controller has not seen the spec. */
export function generationNotObserved(object: KubeObject): boolean {
  const generation = numberAt(object, 'metadata', 'generation');
  const observed = numberAt(object, 'status', 'observedGeneration');
  return generation !== undefined && observed !== undefined && observed < generation;
}

/** First line of a controller message, trimmed to a length that fits a progress line. */
export function shortMessage(message: string | undefined, limit = 200): string {
  const line = (message ?? '').trim().split('\n')[0] ?? '';
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}
