/**
 * Discovery documents. kubectl 1.32 asks for aggregated discovery (`APIGroupDiscoveryList`) and tells the
 * format by the response Content-Type, so that header must name it (local-infra.md §6.3 pitfall); clients that
 * do not ask get the legacy APIVersions / APIGroupList / APIResourceList documents.
 */
import type { ResourceCatalog } from './catalog.js';
import { joinApiVersion, type ResourceType } from './model.js';

const STATUS_VERBS = ['get', 'patch', 'update'];

export interface DiscoveryReply {
  contentType: string;
  body: unknown;
}

/** The aggregated-discovery version the Accept header asks for (`v2` preferred), if any. */
export function aggregatedVersion(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  const ranges = (accept ?? '').split(',').map((r) => r.trim());
  let found: 'v2' | 'v2beta1' | undefined;
  for (const range of ranges) {
    const [mediaType, ...params] = range.split(';').map((p) => p.trim());
    if (mediaType !== 'application/json') continue;
    const p = Object.fromEntries(params.map((kv) => kv.split('=') as [string, string]));
    if (p.g !== 'apidiscovery.k8s.io' || p.as !== 'APIGroupDiscoveryList') continue;
    if (p.v === 'v2') return 'v2';
    if (p.v === 'v2beta1') found = 'v2beta1';
  }
  return found;
}

function resourceDiscovery(t: ResourceType, version: string): Record<string, unknown> {
  const responseKind = { group: t.group, version, kind: t.kind };
  return {
    resource: t.plural,
    responseKind,
    scope: t.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: t.singular,
    verbs: t.verbs,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    ...(t.statusSubresource
      ? { subresources: [{ subresource: 'status', responseKind, verbs: STATUS_VERBS }] }
      : {}),
  };
}

/** `/api` (core only) or `/apis` (every other group), aggregated. */
export function aggregatedDiscovery(
  catalog: ResourceCatalog,
  core: boolean,
  version: 'v2' | 'v2beta1',
): DiscoveryReply {
  const items = [...catalog.groups()]
    .filter(([group]) => (group === '') === core)
    .map(([group, versions]) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: catalog
          .served()
          .filter((t) => t.group === group && t.versions.includes(v))
          .map((t) => resourceDiscovery(t, v)),
        freshness: 'Current',
      })),
    }));
  return {
    contentType: `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`,
    body: {
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items,
    },
  };
}

function groupDocument(group: string, versions: string[]): Record<string, unknown> {
  const list = versions.map((v) => ({ groupVersion: joinApiVersion(group, v), version: v }));
  return { name: group, versions: list, preferredVersion: list[0] };
}

export function legacyCore(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function legacyGroups(catalog: ResourceCatalog): unknown {
  const groups = [...catalog.groups()].filter(([g]) => g !== '').map(([g, v]) => groupDocument(g, v));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function legacyGroup(catalog: ResourceCatalog, group: string): unknown | undefined {
  const versions = catalog.groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group, versions) };
}

/** `/api/v1` or `/apis/<group>/<version>`; undefined when nothing is served there. */
export function resourceList(catalog: ResourceCatalog, group: string, version: string): unknown | undefined {
  const types = catalog.served().filter((t) => t.group === group && t.versions.includes(version));
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => {
    const main = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    };
    const status = {
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: STATUS_VERBS,
    };
    return t.statusSubresource ? [main, status] : [main];
  });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: joinApiVersion(group, version),
    resources,
  };
}
