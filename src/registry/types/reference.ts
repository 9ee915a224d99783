/**
 * Image references: `host[:port]/path/name[:tag][@sha256:<hex>]`, following the grammar of
 * distribution/reference (`reference.go`) and the OCI distribution-spec's name, tag and digest rules.
 */
import { DOCKER_HUB, normalizeRegistry } from '../../credentials/registry-host.js';
import { InvalidReferenceError } from './errors.js';

/** Docker Hub's name and the host normalizer sit with the auth.json lookup, in src/credentials. */
export { DOCKER_HUB, normalizeRegistry };
export const DEFAULT_TAG = 'latest';
/** distribution/reference: `NameTotalLengthMax`, counted over `host/path`. */
const MAX_NAME_LENGTH = 255;

export interface ImageReference {
  /** `host[:port]`, lower-case (`docker.io` for Docker Hub). */
  readonly registry: string;
  /** `path/name` below the registry, e.g. `acme/app` (`library/nginx` on Docker Hub). */
  readonly repository: string;
  readonly tag: string | undefined;
  /** `sha256:<64 hex>`; when both are set, the digest is what a pull uses and the tag is informational. */
  readonly digest: string | undefined;
}

export interface ParseReferenceOptions {
  /** Registry for a reference that names none. Default `docker.io` (with `library/` for one-part names). */
  defaultRegistry?: string;
  /** Tag for a reference with neither tag nor digest. Default `latest`; `null` leaves it unset. */
  defaultTag?: string | null;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:.]+(?:%[\w.-]+)?\]$/;
export const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** OCI image-spec descriptor digest grammar: `algorithm ":" encoded`. */
const ANY_DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function parseReference(input: string, options: ParseReferenceOptions = {}): ImageReference {
  const fail = (problem: string): never => {
    throw new InvalidReferenceError(input, problem);
  };
  if (input === '') fail('it is empty');
  if (/\s/.test(input)) fail('it contains white space');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) fail(problem);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) fail(problem);
  }

  let registry: string;
  let repository: string;
  const slash = rest.indexOf('/');
  const first = slash < 0 ? rest : rest.slice(0, slash);
  // distribution/reference `splitDomain`: the first component is a host when it has a dot, a port, is
  // `localhost`, or has upper-case letters (repository paths are lower-case only).
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())) {
    registry = first;
    repository = rest.slice(slash + 1);
    const problem = registryProblem(registry);
    if (problem) fail(problem);
  } else {
    registry = options.defaultRegistry ?? DOCKER_HUB;
    repository = rest;
  }
  registry = normalizeRegistry(registry);
  if (registry === DOCKER_HUB && !repository.includes('/') && repository !== '') {
    repository = `library/${repository}`;
  }
  const problem = repositoryProblem(repository);
  if (problem) fail(problem);
  if (registry.length + 1 + repository.length > MAX_NAME_LENGTH) {
    fail(`the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  if (tag === undefined && digest === undefined && options.defaultTag !== null) {
    tag = options.defaultTag ?? DEFAULT_TAG;
  }
  return { registry, repository, tag, digest };
}

/** `registry/repository[:tag][@digest]`; the inverse of parseReference. */
export function formatReference(ref: ImageReference): string {
  const tag = ref.tag === undefined ? '' : `:${ref.tag}`;
  const digest = ref.digest === undefined ? '' : `@${ref.digest}`;
  return `${ref.registry}/${ref.repository}${tag}${digest}`;
}

/** What a pull of this reference asks the registry for: the digest when there is one, else the tag. */
export function manifestReferenceOf(ref: ImageReference): string {
  const value = ref.digest ?? ref.tag;
  if (value === undefined) {
    throw new InvalidReferenceError(formatReference(ref), 'it has neither a tag nor a digest');
  }
  return value;
}

/** Why `registry` is not `host[:port]`, or undefined when it is. */
export function registryProblem(registry: string): string | undefined {
  if (registry === '') return 'the registry host is empty';
  const match = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(registry);
  const host = match?.[1] ?? '';
  const port = match?.[2];
  if (host.startsWith('[')) {
    if (!IPV6_HOST.test(host)) return `registry host "${host}" is not a valid IPv6 address in brackets`;
  } else if (host === '' || !host.split('.').every((part) => DOMAIN_COMPONENT.test(part))) {
    return `registry host "${host}" is not a host name (letters, digits, "-" and ".")`;
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    return `registry port "${port}" is not a number from 1 to 65535`;
  }
  return undefined;
}

/** Why `repository` is not a valid `path/name`, or undefined when it is. */
export function repositoryProblem(repository: string): string | undefined {
  if (repository === '') return 'the repository name is empty';
  for (const component of repository.split('/')) {
    if (component === '')
      return `repository "${repository}" has an empty path component ("//" or a "/" at an end)`;
    if (component !== component.toLowerCase()) {
      return `repository "${repository}" has upper-case letters; repository names are lower-case`;
    }
    if (!PATH_COMPONENT.test(component)) {
      return (
        `repository path component "${component}" is not allowed: use lower-case letters and digits, ` +
        'separated by ".", "_", "__" or "-"'
      );
    }
  }
  return undefined;
}

/** Why `tag` is not a valid tag, or undefined when it is. */
export function tagProblem(tag: string): string | undefined {
  if (tag === '') return 'the tag after ":" is empty';
  if (TAG.test(tag)) return undefined;
  if (tag.length > 128) return `tag "${tag.slice(0, 20)}…" is longer than 128 characters`;
  return `tag "${tag}" is not allowed: it must start with a letter, digit or "_" and contain only those, "." and "-"`;
}

/** Why `digest` is not a `sha256:<64 lower-case hex>` digest, or undefined when it is. */
export function digestProblem(digest: string): string | undefined {
  if (digest === '') return 'the digest after "@" is empty';
  if (SHA256_DIGEST.test(digest)) return undefined;
  if (!ANY_DIGEST.test(digest)) return `digest "${digest}" is not "algorithm:hex"`;
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (algorithm !== 'sha256') return `digest algorithm "${algorithm}" is not supported (only sha256)`;
  return `sha256 digest "${digest}" must have 64 lower-case hex characters`;
}

export function isDigest(value: string): boolean {
  return SHA256_DIGEST.test(value);
}

/** Throws InvalidReferenceError unless `repository` is a valid repository name. */
export function assertRepository(repository: string): void {
  const problem = repositoryProblem(repository);
  if (problem) throw new InvalidReferenceError(repository, problem);
}

/** Throws unless `reference` is a valid tag or sha256 digest (what a manifest URL ends with). */
export function assertTagOrDigest(reference: string): void {
  const problem = reference.includes(':') ? digestProblem(reference) : tagProblem(reference);
  if (problem) throw new InvalidReferenceError(reference, problem);
}

export function assertDigest(digest: string): void {
  const problem = digestProblem(digest);
  if (problem) throw new InvalidReferenceError(digest, problem);
}
