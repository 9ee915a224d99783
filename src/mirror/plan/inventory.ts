/**
 * Reading tag → digest lists. With a Quay API token both sides come from the tag API (100 tags a call,
 * digests and times included, only active tags), so an unchanged repository costs no registry request;
 * otherwise tag names come from `/v2/<name>/tags/list` and digests from one manifest check per tag, as
 * regsync does (mirror-anchors.md §2.1). At a destination the tag list comes first: a repository it does
 * not have (404) is known to be empty, and only listed tags are checked.
 */

import type { HostLimiter } from '../../concurrency/host-limiter.js';
import { mapPool } from '../../concurrency/work-pool.js';
import { QuayApiError } from '../../quay/errors.js';
import { RegistryError } from '../../registry/index.js';
import type { Endpoint } from '../sides/endpoint.js';
import { presenceKey, type SourceTag, type WantedRef } from './plan.js';

export interface DestinationState {
  /** false: the repository is missing (Quay API, or the registry's tag list answered 404); undefined: not known. */
  exists: boolean | undefined;
  /** Tag or digest → digest, for the wanted refs (every tag when read through the API). */
  present: Map<string, string>;
  /** Every tag with its digest; only when asked for (prune). */
  allTags: Map<string, string> | undefined;
}

/** `org/repo/…` → Quay's namespace and repository name. */
export function splitQuayPath(path: string): { namespace: string; repository: string } {
  const slash = path.indexOf('/');
  return { namespace: path.slice(0, slash), repository: path.slice(slash + 1) };
}

/**
 * One string per distinct digest: every tag's digest is its own string after JSON parsing or hashing (90
 * bytes each), and many tags share few manifests.
 */
function interning(): <T extends string | undefined>(digest: T) => T {
  const seen = new Map<string, string>();
  return <T extends string | undefined>(digest: T): T => {
    if (digest === undefined) return digest;
    const known = seen.get(digest);
    if (known !== undefined) return known as T;
    seen.set(digest, digest);
    return digest;
  };
}

/** Every tag of a source repository (Quay API: with digests and times; registry: names only). */
export async function readSourceTags(
  endpoint: Endpoint,
  path: string,
  limiter: HostLimiter,
): Promise<SourceTag[]> {
  const missing = () =>
    new Error(
      `the repository ${path} does not exist at ${endpoint.name}, or the credentials may not read it`,
    );
  if (endpoint.api) {
    const api = endpoint.api;
    const { namespace, repository } = splitQuayPath(path);
    try {
      const tags = await limiter.run([endpoint.host], () => api.listActiveTags(namespace, repository));
      const digest = interning();
      return tags.map((tag) => ({
        name: tag.name,
        digest: digest(tag.manifest_digest),
        startTs: tag.start_ts,
      }));
    } catch (error) {
      if (error instanceof QuayApiError && (error.status === 404 || error.status === 403)) throw missing();
      throw error;
    }
  }
  try {
    const names = await limiter.run([endpoint.host], () => endpoint.registry.tags.list(path));
    return names.map((name) => ({ name }));
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) throw missing();
    throw error;
  }
}

/**
 * Fills in unknown digests with one manifest HEAD per tag; a tag deleted meanwhile drops out. At most
 * `perHost` checks of one repository wait at a time: a promise per tag at once (100k tags) queued them all
 * at the host's semaphore, whose waiting list then cost O(waiting) per release and kept them alive long
 * enough to reach the old generation.
 */
export async function resolveDigests(
  endpoint: Endpoint,
  path: string,
  tags: readonly SourceTag[],
  limiter: HostLimiter,
): Promise<SourceTag[]> {
  const digest = interning();
  const resolved = await mapPool(tags, limiter.perHost, async (tag): Promise<SourceTag | undefined> => {
    if (tag.digest !== undefined) return tag;
    const head = await limiter.run([endpoint.host], () => endpoint.registry.manifests.head(path, tag.name));
    // Not `{ ...tag, digest }`: V8 gives each object made so a hidden class of its own (about 200 bytes a tag).
    return head === undefined
      ? undefined
      : { name: tag.name, digest: digest(head.digest), startTs: tag.startTs };
  });
  return resolved.filter((tag): tag is SourceTag => tag !== undefined);
}

/**
 * What a destination holds for the wanted refs. `forPush` asks for a push token on the HEADs: on Quay that
 * creates a missing repository during `/v2/auth` (quay-api.md §11.2), so a dry run leaves it off.
 */
export async function readDestination(
  endpoint: Endpoint,
  path: string,
  wanted: readonly WantedRef[],
  options: { allTags: boolean; forPush: boolean },
  limiter: HostLimiter,
): Promise<DestinationState> {
  const present = new Map<string, string>();
  const digestRefs = wanted.filter((ref) => ref.tag === undefined);
  if (endpoint.api) {
    const api = endpoint.api;
    const { namespace, repository } = splitQuayPath(path);
    let tags: Awaited<ReturnType<typeof api.listActiveTags>>;
    try {
      tags = await limiter.run([endpoint.host], () => api.listActiveTags(namespace, repository));
    } catch (error) {
      if (error instanceof QuayApiError && (error.status === 404 || error.status === 403)) {
        return { exists: false, present, allTags: options.allTags ? new Map() : undefined };
      }
      throw error;
    }
    const digest = interning();
    for (const tag of tags) if (tag.manifest_digest) present.set(tag.name, digest(tag.manifest_digest));
    const allTags = options.allTags ? new Map(present) : undefined;
    await headInto(endpoint, path, digestRefs, present, options.forPush, limiter);
    return { exists: true, present, allTags };
  }
  // The tag list first: a missing repository costs one request instead of a HEAD per wanted ref, and only
  // tags it names can match.
  const names = await listTagsIfReadable(endpoint, path, options.forPush, limiter);
  if (names === 'missing') {
    return { exists: false, present, allTags: options.allTags ? new Map() : undefined };
  }
  const listed = names === undefined ? undefined : new Set(names);
  const toHead = listed ? wanted.filter((ref) => ref.tag === undefined || listed.has(ref.tag)) : wanted;
  await headInto(endpoint, path, toHead, present, options.forPush, limiter);
  let allTags: Map<string, string> | undefined;
  if (options.allTags) {
    allTags = new Map();
    const all = names ?? [];
    const unknown = all.filter((name) => !present.has(name)).map((tag) => ({ tag, digest: '' }));
    const found = new Map<string, string>();
    await headInto(endpoint, path, unknown, found, options.forPush, limiter);
    for (const name of all) {
      const digest = present.get(name) ?? found.get(name);
      if (digest !== undefined) allTags.set(name, digest);
    }
  }
  return { exists: listed ? true : undefined, present, allTags };
}

async function headInto(
  endpoint: Endpoint,
  path: string,
  refs: readonly WantedRef[],
  into: Map<string, string>,
  forPush: boolean,
  limiter: HostLimiter,
): Promise<void> {
  // Bounded like resolveDigests.
  const digest = interning();
  await mapPool(refs, limiter.perHost, async (ref) => {
    const key = presenceKey(ref);
    try {
      const head = await limiter.run([endpoint.host], () =>
        endpoint.registry.manifests.head(path, key, { forPush }),
      );
      if (head) into.set(key, digest(head.digest));
    } catch (error) {
      // Quay answers 401 for a repository (or organization) that does not exist yet when the token may
      // not create it; the copy then says what is wrong. Anything else is a real failure.
      if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) return;
      throw error;
    }
  });
}

/**
 * The destination's tag names; `missing` when the registry says the repository does not exist (404);
 * undefined when the credentials may not list it (Quay answers 401 for a repository the token may not
 * create yet), so each wanted ref is asked for on its own.
 */
async function listTagsIfReadable(
  endpoint: Endpoint,
  path: string,
  forPush: boolean,
  limiter: HostLimiter,
): Promise<string[] | 'missing' | undefined> {
  try {
    return await limiter.run([endpoint.host], () => endpoint.registry.tags.list(path, { forPush }));
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return 'missing';
    if (error instanceof RegistryError && (error.status === 401 || error.status === 403)) return undefined;
    throw error;
  }
}

/** Is `namespace` at a Quay instance (with an API token) an organization, or the token's own user? */
export async function namespaceExists(endpoint: Endpoint, namespace: string): Promise<boolean> {
  const api = endpoint.api;
  if (!api) return true;
  if ((await api.getOrganization(namespace)) !== undefined) return true;
  // A user namespace is no organization, but pushes into it work when it is the token's own.
  const user = await api.currentUser().catch(() => undefined);
  return user?.username === namespace;
}
