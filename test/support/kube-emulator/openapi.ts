/**
 * OpenAPI v3, only as far as `kubectl apply` needs it (local-infra.md §6.3): an index with one entry per served
 * group/version, and per group/version a document whose PATCH operations carry `x-kubernetes-group-version-kind`
 * and the `fieldValidation` / `dryRun` query parameters. With no `components.schemas`, kubectl skips client-side
 * validation and leaves it to the server (`fieldValidation=Strict`). The `hash` changes with the served set,
 * because kubectl caches these documents by URL.
 */
import { createHash } from 'node:crypto';
import type { ResourceCatalog } from './catalog.js';

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
  name,
  in: 'query',
  schema: { type: name === 'force' ? 'boolean' : 'string' },
}));

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function operationId(group: string, version: string, kind: string, namespaced: boolean): string {
  const groupPart = (group.split('.')[0] ?? '').replace(/^./, (c) => c.toUpperCase());
  return `patch${group ? groupPart : 'Core'}${version.replace(/^./, (c) => c.toUpperCase())}${namespaced ? 'Namespaced' : ''}${kind}`;
}

/** The document for `api/v1` or `apis/<group>/<version>`; undefined when that group/version is not served. */
export function openApiDocument(catalog: ResourceCatalog, path: string): Record<string, unknown> | undefined {
  const types = catalog.served().flatMap((t) => t.versions.map((v) => ({ t, v })));
  const here = types.filter(({ t, v }) => gvPath(t.group, v) === path && t.verbs.includes('patch'));
  if (here.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const { t, v } of here) {
    const scope = t.namespaced ? 'namespaces/{namespace}/' : '';
    paths[`/${path}/${scope}${t.plural}/{name}`] = {
      patch: {
        operationId: operationId(t.group, v, t.kind, t.namespaced),
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: t.group, version: v, kind: t.kind },
        parameters: QUERY_PARAMS,
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths };
}

export function openApiIndex(catalog: ResourceCatalog): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [group, versions] of catalog.groups()) {
    for (const version of versions) {
      const path = gvPath(group, version);
      const doc = openApiDocument(catalog, path);
      if (!doc) continue;
      const hash = createHash('sha256').update(JSON.stringify(doc)).digest('hex').toUpperCase();
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}
