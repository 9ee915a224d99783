/** A manifest document's object reference, and the label reports and logs give it (`Kind/namespace/name`). */
import type { ObjectRef } from '../cluster/readiness/index.js';
import type { ManifestDocument } from './waves.js';

export function refOf(doc: ManifestDocument): ObjectRef {
  const ref: ObjectRef = {
    apiVersion: doc.object.apiVersion,
    kind: doc.object.kind,
    name: doc.object.metadata.name,
  };
  if (doc.object.metadata.namespace) ref.namespace = doc.object.metadata.namespace;
  return ref;
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
