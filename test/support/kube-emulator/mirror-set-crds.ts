/**
 * ImageDigestMirrorSet and ImageTagMirrorSet (config.openshift.io/v1, cluster-scoped) with their real
 * schemas, transcribed from openshift/api `config/v1/zz_generated.crd-manifests/
 * 0000_10_config-operator_01_image{digest,tag}mirrorsets.crd.yaml` (generated from
 * `config/v1/types_image_{digest,tag}_mirror_set.go`), descriptions left out: so the emulator rejects what
 * the real API server rejects (undeclared fields with fieldValidation=Strict, patterns, the enum, the set).
 */
import type { CrdDefinition } from './crd.js';

const SOURCE =
  '^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$';
const MIRROR =
  '^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$';

function mirrorSetSchema(listField: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        properties: {
          [listField]: {
            type: 'array',
            'x-kubernetes-list-type': 'atomic',
            items: {
              type: 'object',
              required: ['source'],
              properties: {
                mirrorSourcePolicy: { type: 'string', enum: ['NeverContactSource', 'AllowContactingSource'] },
                mirrors: {
                  type: 'array',
                  'x-kubernetes-list-type': 'set',
                  items: { type: 'string', pattern: MIRROR },
                },
                source: { type: 'string', pattern: SOURCE },
              },
            },
          },
        },
      },
      status: { type: 'object' },
    },
  };
}

export const MIRROR_SET_CRDS: readonly CrdDefinition[] = [
  {
    group: 'config.openshift.io',
    kind: 'ImageDigestMirrorSet',
    scope: 'Cluster',
    shortNames: ['idms'],
    schema: mirrorSetSchema('imageDigestMirrors'),
  },
  {
    group: 'config.openshift.io',
    kind: 'ImageTagMirrorSet',
    scope: 'Cluster',
    shortNames: ['itms'],
    schema: mirrorSetSchema('imageTagMirrors'),
  },
];
