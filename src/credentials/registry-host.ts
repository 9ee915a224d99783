/**
 * How auth.json keys and image references name a registry host: lower case, with Docker Hub's aliases folded
 * into `docker.io` (distribution/reference `DefaultDomain`). Here, below src/registry, because the auth.json
 * lookup matches its keys with it; src/registry/types/reference.ts passes it on with the reference grammar.
 */

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Lower-case host; Docker Hub's aliases become `docker.io`. */
export function normalizeRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}
