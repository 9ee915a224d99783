/**
 * The mirror plan as data, and the pure steps that make it: which source tags a selection keeps, which
 * cosign tags come along, and the tag→digest diff against a destination (equal digest: unchanged, no blob
 * traffic). The reading of tag lists is in inventory.ts; collect.ts puts the two together.
 */
import { isSignatureTag, signatureTagsOf } from './cosign-tags.js';
import type { RepositorySelection } from './selection.js';
import { selectTags, type TagInfo } from './tag-filter.js';

/** What a destination should hold: `tag` → `digest`, or (for an `@digest` entry) the digest alone. */
export interface WantedRef {
  tag: string | undefined;
  digest: string;
}

/** A source tag; `digest` is unknown until resolved when the source has no tag API (a HEAD per tag). */
export interface SourceTag extends TagInfo {
  digest?: string;
}

export interface PruneRef {
  tag: string;
  digest: string;
}

export interface DestinationPlan {
  /** Entry of the `quay` section. */
  target: string;
  /** The repository path at the target. */
  path: string;
  /**
   * false: the repository is missing (the Quay API, or a 404 for its tag list), so whatever it holds during
   * the run this run put there; undefined: not known.
   */
  repositoryExists: boolean | undefined;
  /** What the destination holds now (tag or digest → digest), for the wanted refs (and all tags for prune). */
  present: ReadonlyMap<string, string>;
  copy: WantedRef[];
  unchanged: WantedRef[];
  /** Destination tags gone from the source (only with `prune`, only for whole repositories). */
  prune: PruneRef[];
  /** Reading the destination failed: every wanted ref fails with this. */
  error?: string;
}

export interface RepositoryPlan {
  logicalPath: string;
  sourcePath: string;
  wanted: WantedRef[];
  /** Explicitly named tags the source does not have. */
  missing: string[];
  destinations: DestinationPlan[];
  /** Reading the source failed: nothing of this repository is copied. */
  error?: string;
}

export interface OrganizationPlan {
  target: string;
  organization: string;
  exists: boolean;
}

export interface MirrorPlan {
  repositories: RepositoryPlan[];
  /** Organizations of Quay targets with an API token that hold repositories to copy. */
  organizations: OrganizationPlan[];
}

/** One manifest tree to copy from a source repository, with what to name it at each destination. */
export interface CopyJob {
  repository: RepositoryPlan;
  digest: string;
  targets: { destination: DestinationPlan; refs: WantedRef[] }[];
}

/** `:tag` or `@digest`, as it follows a repository path. */
export function refSuffix(ref: WantedRef): string {
  return ref.tag === undefined ? `@${ref.digest}` : `:${ref.tag}`;
}

/** The key a destination's `present` map uses for a ref. */
export function presenceKey(ref: WantedRef): string {
  return ref.tag ?? ref.digest;
}

/**
 * The source tags a selection keeps (by name and time; digests may still be unknown), in source order, and
 * the explicit tags the source lacks. Cosign tags are left to `signatureTagsFor` unless `signatures` is on
 * and a filter keeps them anyway.
 */
export function chooseTags(
  selection: RepositorySelection,
  sourceTags: readonly SourceTag[],
  signatures: boolean,
): { chosen: SourceTag[]; missing: string[] } {
  const candidates = signatures ? sourceTags : sourceTags.filter((tag) => !isSignatureTag(tag.name));
  const keep = new Set<string>();
  for (const filter of selection.filters) {
    for (const tag of selectTags(candidates, filter)) keep.add(tag.name);
  }
  const names = selection.tags.length > 0 ? new Set(sourceTags.map((tag) => tag.name)) : undefined;
  const missing = selection.tags.filter((tag) => !names?.has(tag));
  for (const tag of selection.tags) keep.add(tag);
  return { chosen: sourceTags.filter((tag) => keep.has(tag.name)), missing };
}

/** Cosign tags of these digests that the source has and that are not chosen yet. */
export function signatureTagsFor(
  digests: Iterable<string>,
  sourceTags: readonly SourceTag[],
  alreadyChosen: ReadonlySet<string>,
): SourceTag[] {
  const wanted = new Set<string>();
  for (const digest of digests) for (const name of signatureTagsOf(digest)) wanted.add(name);
  return sourceTags.filter((tag) => wanted.has(tag.name) && !alreadyChosen.has(tag.name));
}

/** Tags (digests resolved) and explicit digests as refs, each once. */
export function wantedRefs(tags: readonly SourceTag[], digests: readonly string[]): WantedRef[] {
  const refs: WantedRef[] = [];
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.digest === undefined || seen.has(tag.name)) continue;
    seen.add(tag.name);
    refs.push({ tag: tag.name, digest: tag.digest });
  }
  for (const digest of digests) {
    if (seen.has(digest)) continue;
    seen.add(digest);
    refs.push({ tag: undefined, digest });
  }
  return refs;
}

/** A ref whose destination digest equals the source digest is unchanged; every other is copied. */
export function diffRefs(
  wanted: readonly WantedRef[],
  present: ReadonlyMap<string, string>,
): { copy: WantedRef[]; unchanged: WantedRef[] } {
  const copy: WantedRef[] = [];
  const unchanged: WantedRef[] = [];
  for (const ref of wanted) (present.get(presenceKey(ref)) === ref.digest ? unchanged : copy).push(ref);
  return { copy, unchanged };
}

/** Destination tags whose name the source no longer has. */
export function pruneCandidates(
  sourceTagNames: ReadonlySet<string>,
  destinationTags: ReadonlyMap<string, string>,
): PruneRef[] {
  const out: PruneRef[] = [];
  for (const [tag, digest] of destinationTags) {
    if (!sourceTagNames.has(tag)) out.push({ tag, digest });
  }
  return out;
}

/**
 * Groups the refs to copy by source digest: one job copies one manifest tree to every destination that
 * needs it (so one source read serves them all), then names it with each ref.
 */
export function copyJobs(repository: RepositoryPlan): CopyJob[] {
  const jobs = new Map<string, CopyJob>();
  for (const destination of repository.destinations) {
    if (destination.error !== undefined) continue;
    for (const ref of destination.copy) {
      let job = jobs.get(ref.digest);
      if (!job) {
        job = { repository, digest: ref.digest, targets: [] };
        jobs.set(ref.digest, job);
      }
      let target = job.targets.find((t) => t.destination === destination);
      if (!target) {
        target = { destination, refs: [] };
        job.targets.push(target);
      }
      target.refs.push(ref);
    }
  }
  return [...jobs.values()];
}

/** How a report names a ref at a destination: `<instance>/<path>:<tag>` or `…@<digest>`. */
export function destinationRef(
  destination: Pick<DestinationPlan, 'target' | 'path'>,
  ref: WantedRef,
): string {
  return `${destination.target}/${destination.path}${refSuffix(ref)}`;
}
