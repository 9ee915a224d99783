/**
 * Manifest parsing for pushes (quay-api.md §11.4): Docker schema2 manifest and manifest list, OCI image manifest
 * and index (behind FEATURE_GENERAL_OCI_SUPPORT), and schema1. Bytes are kept exactly as pushed; the digest is
 * sha256 of those bytes. Simplification: a signed schema1 manifest's digest is also taken over the whole body
 * (Quay strips the signatures first).
 */
import { createHash } from 'node:crypto';
import type { RegistryErrorCode } from './errors.js';
import { DIGEST_REGEX } from './names.js';
import type { ManifestRecord } from './state.js';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

const LIST_TYPES = new Set<string>([MEDIA_TYPES.dockerList, MEDIA_TYPES.ociIndex]);
const OCI_TYPES = new Set<string>([MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex]);
const SCHEMA1_TYPES = new Set<string>([MEDIA_TYPES.schema1, MEDIA_TYPES.schema1Signed]);
export const ALL_MANIFEST_TYPES: readonly string[] = Object.values(MEDIA_TYPES);

export type ParseResult =
  | { ok: true; manifest: ManifestRecord }
  | { ok: false; status: number; code: RegistryErrorCode; message: string };

type Json = Record<string, unknown>;

function invalid(message: string, status = 400): ParseResult {
  return { ok: false, status, code: 'MANIFEST_INVALID', message };
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown): { digest: string; size: number; urls: boolean } | undefined {
  if (!isObject(v) || typeof v.digest !== 'string' || !DIGEST_REGEX.test(v.digest)) return undefined;
  if (typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 0) return undefined;
  return { digest: v.digest, size: v.size, urls: Array.isArray(v.urls) && v.urls.length > 0 };
}

export function manifestDigest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Parses and validates a pushed manifest; `contentType` is the request's Content-Type. */
export function parseManifest(
  bytes: Buffer,
  contentType: string | undefined,
  ociSupport: boolean,
): ParseResult {
  const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (!ALL_MANIFEST_TYPES.includes(mediaType) || (!ociSupport && OCI_TYPES.has(mediaType))) {
    return invalid('manifest schema version not supported', 415);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return invalid('manifest is not valid JSON');
  }
  if (!isObject(doc)) return invalid('manifest is not a JSON object');
  if (typeof doc.mediaType === 'string' && doc.mediaType !== mediaType) {
    return invalid(`manifest mediaType ${doc.mediaType} does not match Content-Type ${mediaType}`);
  }
  const base: ManifestRecord = {
    digest: manifestDigest(bytes),
    mediaType,
    bytes,
    isList: LIST_TYPES.has(mediaType),
    childDigests: [],
    blobDigests: [],
    layersSize: null,
    subjectDigest: null,
    artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : null,
    annotations: isObject(doc.annotations) ? (doc.annotations as Record<string, string>) : null,
  };
  const subject = descriptor(doc.subject);
  if (subject) base.subjectDigest = subject.digest;

  if (SCHEMA1_TYPES.has(mediaType)) {
    if (doc.schemaVersion !== 1 || !Array.isArray(doc.fsLayers)) return invalid('invalid schema1 manifest');
    const sums = doc.fsLayers.map((l: unknown) => (isObject(l) ? l.blobSum : undefined));
    if (sums.some((s) => typeof s !== 'string' || !DIGEST_REGEX.test(s))) return invalid('invalid fsLayers');
    base.blobDigests = [...new Set(sums as string[])];
    return { ok: true, manifest: base };
  }
  if (doc.schemaVersion !== 2) return invalid('schemaVersion must be 2');
  if (base.isList) {
    if (!Array.isArray(doc.manifests)) return invalid('manifests must be an array');
    const children = doc.manifests.map(descriptor);
    if (children.some((c) => c === undefined)) return invalid('invalid manifest descriptor');
    base.childDigests = children.map((c) => c?.digest ?? '');
    return { ok: true, manifest: base };
  }
  const config = descriptor(doc.config);
  if (!config) return invalid('invalid config descriptor');
  if (!Array.isArray(doc.layers)) return invalid('layers must be an array');
  const layers = doc.layers.map(descriptor);
  if (layers.some((l) => l === undefined)) return invalid('invalid layer descriptor');
  const present = layers.filter((l) => l !== undefined);
  // Foreign layers (with `urls`) live elsewhere and need not be pushed.
  base.blobDigests = [...new Set([config.digest, ...present.filter((l) => !l.urls).map((l) => l.digest)])];
  base.layersSize = present.reduce((sum, l) => sum + l.size, 0);
  if (!base.artifactType && mediaType === MEDIA_TYPES.ociManifest && isObject(doc.config)) {
    const configType = doc.config.mediaType;
    if (typeof configType === 'string' && configType !== 'application/vnd.oci.image.config.v1+json') {
      base.artifactType = configType;
    }
  }
  return { ok: true, manifest: base };
}
