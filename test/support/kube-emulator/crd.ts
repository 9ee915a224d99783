/** CustomResourceDefinition objects: validation, the resource type they define, and the Established status. */
import type { StatusCause } from './errors.js';
import { isMap } from './json.js';
import { ALL_VERBS, type KubeObject, type ResourceType, timestamp } from './model.js';

export const CRD_GROUP = 'apiextensions.k8s.io';

/** A short way to describe a CRD in tests; `crdManifest` turns it into the full object. */
export interface CrdDefinition {
  group: string;
  kind: string;
  /** Default `['v1']`; the first is the storage version. */
  versions?: string[];
  /** Default: the lower-cased kind, pluralised (`QuayRegistry` → `quayregistries`). */
  plural?: string;
  singular?: string;
  scope?: 'Namespaced' | 'Cluster';
  shortNames?: string[];
  /** Default true, like every operator CRD in apply-readiness.md §2. */
  statusSubresource?: boolean;
  /**
   * The `openAPIV3Schema` of every version; default: an object that keeps every field. Given, writes are
   * checked against it (schema.ts): undeclared fields pruned, or rejected with fieldValidation=Strict.
   */
  schema?: Record<string, unknown>;
}

export function pluralize(kind: string): string {
  const lower = kind.toLowerCase();
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}

export function crdManifest(def: CrdDefinition): KubeObject {
  const plural = def.plural ?? pluralize(def.kind);
  const versions = def.versions ?? ['v1'];
  return {
    apiVersion: `${CRD_GROUP}/v1`,
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${def.group}` },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural,
        singular: def.singular ?? def.kind.toLowerCase(),
        ...(def.shortNames ? { shortNames: def.shortNames } : {}),
      },
      scope: def.scope ?? 'Namespaced',
      versions: versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: {
          openAPIV3Schema: def.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        ...((def.statusSubresource ?? true) ? { subresources: { status: {} } } : {}),
      })),
    },
  };
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  status: boolean;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function versionsOf(spec: Record<string, unknown>): CrdVersion[] {
  const raw = Array.isArray(spec.versions) ? spec.versions : [];
  return raw.filter(isMap).map((v) => ({
    name: str(v.name),
    served: v.served === true,
    storage: v.storage === true,
    status: isMap(v.subresources) && isMap(v.subresources.status),
  }));
}

/** The kube-apiserver checks the tests are likely to meet; returns the 422 causes (empty when valid). */
export function validateCrd(crd: KubeObject): Required<StatusCause>[] {
  const causes: Required<StatusCause>[] = [];
  const required = (field: string) =>
    causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  const spec = isMap(crd.spec) ? crd.spec : {};
  const names = isMap(spec.names) ? spec.names : {};
  if (!str(spec.group)) required('spec.group');
  if (!str(names.plural)) required('spec.names.plural');
  if (!str(names.kind)) required('spec.names.kind');
  const scope = str(spec.scope);
  if (scope !== 'Namespaced' && scope !== 'Cluster') {
    causes.push({
      reason: 'FieldValueNotSupported',
      field: 'spec.scope',
      message: `Unsupported value: "${scope}": supported values: "Cluster", "Namespaced"`,
    });
  }
  const expected = `${str(names.plural)}.${str(spec.group)}`;
  if (crd.metadata.name !== expected) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${crd.metadata.name ?? ''}": must be spec.names.plural+"."+spec.group`,
    });
  }
  const versions = versionsOf(spec);
  if (versions.length === 0) required('spec.versions');
  else if (versions.filter((v) => v.storage).length !== 1) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.versions',
      message: 'Invalid value: must have exactly one version marked as storage version',
    });
  }
  return causes;
}

export function crdToType(crd: KubeObject): ResourceType {
  const spec = isMap(crd.spec) ? crd.spec : {};
  const names = isMap(spec.names) ? spec.names : {};
  const versions = versionsOf(spec);
  const served = versions.filter((v) => v.served).sort((a, b) => Number(b.storage) - Number(a.storage));
  const kind = str(names.kind);
  const stringList = (value: unknown) =>
    Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  return {
    group: str(spec.group),
    versions: served.map((v) => v.name),
    kind,
    listKind: str(names.listKind) || `${kind}List`,
    plural: str(names.plural),
    singular: str(names.singular) || kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster',
    shortNames: stringList(names.shortNames),
    categories: stringList(names.categories),
    statusSubresource: served.some((v) => v.status),
    verbs: ALL_VERBS,
    crd: crd.metadata.name ?? '',
  };
}

export function isEstablished(crd: KubeObject): boolean {
  const status = isMap(crd.status) ? crd.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isMap(c) && c.type === 'Established' && c.status === 'True');
}

/** The status kube-apiserver's naming and establishing controllers write. */
export function establishedStatus(crd: KubeObject): Record<string, unknown> {
  const spec = isMap(crd.spec) ? crd.spec : {};
  const now = timestamp();
  const storage = versionsOf(spec).find((v) => v.storage);
  return {
    acceptedNames: isMap(spec.names) ? spec.names : {},
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: now,
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: now,
      },
    ],
    storedVersions: storage ? [storage.name] : [],
  };
}
