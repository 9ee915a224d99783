/** The shapes every module shares: objects as the API server stores them, and the resource types it serves. */

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Names one object: `{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo', name: 'web' }`. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Omit for cluster-scoped kinds. */
  namespace?: string;
}

export interface ResourceType {
  group: string;
  /** Served versions; the first is the storage version. */
  versions: string[];
  kind: string;
  listKind: string;
  /** The URL segment, e.g. `deployments`. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Writes to the main resource ignore `status`; `/status` writes ignore everything else. */
  statusSubresource: boolean;
  verbs: string[];
  /** The CustomResourceDefinition that defines the type; absent for built-in kinds. */
  crd?: string;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function joinApiVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** `deployments.apps`, or `secrets` for the core group: the name Kubernetes error messages use. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function typeKey(type: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${type.group}/${type.plural}`;
}

/** Matches `Deployment` or `apps/Deployment` (group-qualified, for kinds that exist in several groups). */
export function kindMatches(type: ResourceType, kind: string): boolean {
  return kind === type.kind || kind === `${type.group}/${type.kind}`;
}

/** Kubernetes timestamps have second precision (RFC 3339, `Z`). */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
