/** Per-kind rules of kube-apiserver: name formats, which kinds keep a generation, defaults, Secret data. */
import { KubeError, type StatusCause } from './errors.js';
import { deepEqual, isMap, type JsonMap } from './json.js';
import type { KubeObject, ResourceType } from './model.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function nameCauses(type: ResourceType, name: string): Required<StatusCause>[] {
  if (type.kind === 'Namespace' && type.group === '') {
    if (LABEL.test(name) && name.length <= 63) return [];
    return [
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      },
    ];
  }
  if (SUBDOMAIN.test(name) && name.length <= 253) return [];
  return [
    {
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    },
  ];
}

export const isCore = (type: ResourceType, kind: string) => type.group === '' && type.kind === kind;

/** Kinds whose registry strategy keeps `metadata.generation` (Secrets, ConfigMaps, Namespaces have none). */
export function tracksGeneration(type: ResourceType): boolean {
  return (
    type.crd !== undefined ||
    ['apps', 'batch', 'apiextensions.k8s.io', 'networking.k8s.io'].includes(type.group)
  );
}

/** The content that `metadata.generation` tracks: everything but metadata (and status, when it is a subresource). */
export function generationView(obj: KubeObject, type: ResourceType): JsonMap {
  const { metadata: _m, status, ...rest } = obj;
  return type.statusSubresource ? rest : { ...rest, status };
}

/** Equal but for resourceVersion and managedFields timestamps: such a write is a no-op (no new resourceVersion, no event). */
export function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { resourceVersion: _rv, managedFields, ...meta } = o.metadata;
    return {
      ...o,
      metadata: { ...meta, managedFields: (managedFields ?? []).map(({ time: _t, ...e }) => e) },
    };
  };
  return deepEqual(strip(a), strip(b));
}

export function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** The defaults tests rely on: Namespace phase Active (+ finalizer), Secret type Opaque, replicas 1. */
export function applyDefaults(type: ResourceType, obj: KubeObject): void {
  if (isCore(type, 'Namespace')) {
    obj.spec = { finalizers: ['kubernetes'], ...(isMap(obj.spec) ? obj.spec : {}) };
    obj.status = { phase: 'Active', ...(isMap(obj.status) ? obj.status : {}) };
  }
  if (isCore(type, 'Secret') && !obj.type) obj.type = 'Opaque';
  if (type.group === 'apps' && ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(type.kind)) {
    const spec = isMap(obj.spec) ? obj.spec : {};
    if (spec.replicas === undefined) spec.replicas = 1;
    obj.spec = spec;
  }
}

/** kube-apiserver folds Secret `stringData` into `data`; `data` values must be base64 (else 400). */
export function foldStringData(secret: KubeObject): void {
  const data = isMap(secret.data) ? secret.data : {};
  for (const [key, value] of Object.entries(data)) {
    const bad = typeof value !== 'string' || !BASE64.test(value) || value.length % 4 !== 0;
    if (bad) {
      throw KubeError.badRequest(
        `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key "${key}")`,
      );
    }
  }
  if (isMap(secret.stringData)) {
    for (const [key, value] of Object.entries(secret.stringData)) {
      data[key] = Buffer.from(String(value)).toString('base64');
    }
    delete secret.stringData;
  }
  if (Object.keys(data).length > 0 || 'data' in secret) secret.data = data;
}
