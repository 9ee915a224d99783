/**
 * Manifests as registries store them: the raw bytes are kept exactly as received, because the digest is the
 * sha256 of those bytes (OCI image-spec "Digests") and re-serialising would change it. Parsing only reads
 * what a copy needs: child manifests of an index, config and layers of an image, and `subject`.
 */
import * as z from 'zod';
import { sha256Digest, verifyDigest } from './digest.js';
import { InvalidManifestError, UnsupportedManifestError } from './errors.js';
import {
  type ImageManifestMediaType,
  type IndexMediaType,
  isForeignLayerMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isSchema1MediaType,
  MediaTypes,
  mediaTypeOf,
} from './media-types.js';

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const digestSchema = z.string().regex(DIGEST, 'expected a digest such as sha256:<64 hex characters>');
const annotationsSchema = z.record(z.string(), z.string());

/** OCI image-index `platform` (image-spec index.md). */
export const PlatformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type Platform = z.infer<typeof PlatformSchema>;

/** OCI content descriptor (image-spec descriptor.md); Docker schema 2 uses the same fields. */
export const DescriptorSchema = z.looseObject({
  mediaType: z.string().min(1),
  digest: digestSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string()).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().optional(),
  artifactType: z.string().optional(),
  platform: PlatformSchema.optional(),
});
export type Descriptor = z.infer<typeof DescriptorSchema>;

const imageManifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: DescriptorSchema,
  layers: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(DescriptorSchema),
  subject: DescriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

interface ManifestBase {
  /** The raw bytes, exactly as received or to be pushed. */
  readonly bytes: Buffer;
  /** sha256 of `bytes`. */
  readonly digest: string;
  readonly size: number;
  readonly artifactType: string | undefined;
  readonly subject: Descriptor | undefined;
  readonly annotations: Readonly<Record<string, string>> | undefined;
}

/** Docker schema 2 manifest or OCI image manifest (also used for OCI artifacts). */
export interface ImageManifest extends ManifestBase {
  readonly kind: 'image';
  readonly mediaType: ImageManifestMediaType;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

/** Docker manifest list or OCI image index. */
export interface ManifestIndex extends ManifestBase {
  readonly kind: 'index';
  readonly mediaType: IndexMediaType;
  readonly manifests: readonly Descriptor[];
}

export type Manifest = ImageManifest | ManifestIndex;

export interface ParseManifestOptions {
  /** The response's Content-Type (or the type it is to be pushed as). Used when the body names no mediaType. */
  contentType?: string;
  /** When the manifest was fetched by digest: the bytes must hash to it (DigestMismatchError otherwise). */
  expectedDigest?: string;
}

/**
 * Parses manifest bytes. The media type is the body's `mediaType` field, else the Content-Type, else (OCI
 * manifests may omit the field) inferred from `manifests` vs `config`. Throws UnsupportedManifestError for
 * Docker schema 1 and non-manifest types, InvalidManifestError for a body of the wrong shape.
 */
export function parseManifest(bytes: Uint8Array, options: ParseManifestOptions = {}): Manifest {
  const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const digest = sha256Digest(raw);
  if (options.expectedDigest !== undefined) verifyDigest(raw, options.expectedDigest, 'manifest');
  const headerType = mediaTypeOf(options.contentType);

  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    if (headerType !== undefined && isSchema1MediaType(headerType)) throw schema1Error(headerType, digest);
    const why = error instanceof Error ? error.message : String(error);
    throw new InvalidManifestError(`manifest ${digest} is not valid JSON (${why})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InvalidManifestError(`manifest ${digest} is not a JSON object`);
  }
  const body = json as Record<string, unknown>;
  const bodyType = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const mediaType = bodyType ?? headerType ?? inferredMediaType(body);

  if (body.schemaVersion === 1 || (mediaType !== undefined && isSchema1MediaType(mediaType))) {
    throw schema1Error(mediaType ?? MediaTypes.dockerSchema1, digest);
  }
  if (mediaType === undefined) {
    throw new InvalidManifestError(
      `manifest ${digest} names no mediaType and has neither "manifests" nor "config"; it is not an image manifest or index`,
    );
  }

  if (isIndexMediaType(mediaType)) {
    const parsed = validated(indexSchema, body, mediaType, digest);
    return {
      kind: 'index',
      mediaType,
      bytes: raw,
      digest,
      size: raw.length,
      manifests: parsed.manifests,
      artifactType: parsed.artifactType,
      subject: parsed.subject,
      annotations: parsed.annotations,
    };
  }
  if (isImageManifestMediaType(mediaType)) {
    const parsed = validated(imageManifestSchema, body, mediaType, digest);
    return {
      kind: 'image',
      mediaType,
      bytes: raw,
      digest,
      size: raw.length,
      config: parsed.config,
      layers: parsed.layers,
      // image-spec manifest.md "Guidelines for Artifact Usage": without artifactType, a non-image config type names the artifact.
      artifactType:
        parsed.artifactType ??
        (mediaType === MediaTypes.ociManifest &&
        parsed.config.mediaType !== MediaTypes.ociConfig &&
        parsed.config.mediaType !== MediaTypes.ociEmpty
          ? parsed.config.mediaType
          : undefined),
      subject: parsed.subject,
      annotations: parsed.annotations,
    };
  }
  throw new UnsupportedManifestError(
    mediaType,
    `manifest ${digest} has media type ${mediaType}, which is not one this client copies ` +
      '(OCI image index or manifest, Docker manifest list or schema 2 manifest)',
  );
}

/** Child manifests of an index, in order. Push these (by digest) before the index itself. */
export function childManifests(manifest: Manifest): readonly Descriptor[] {
  return manifest.kind === 'index' ? manifest.manifests : [];
}

/**
 * Blobs a copy of this image must push before the manifest: the config, then the layers, each digest once.
 * Foreign (non-distributable) layers are left out: registries do not store them.
 */
export function blobsOf(manifest: Manifest): Descriptor[] {
  if (manifest.kind !== 'image') return [];
  const seen = new Set<string>();
  const out: Descriptor[] = [];
  for (const descriptor of [manifest.config, ...manifest.layers]) {
    if (isForeignLayerMediaType(descriptor.mediaType) || seen.has(descriptor.digest)) continue;
    seen.add(descriptor.digest);
    out.push(descriptor);
  }
  return out;
}

/** Every descriptor the manifest points at: children or config and layers, and `subject` when present. */
export function referencedDescriptors(manifest: Manifest): Descriptor[] {
  const own = manifest.kind === 'index' ? [...manifest.manifests] : [manifest.config, ...manifest.layers];
  return manifest.subject ? [...own, manifest.subject] : own;
}

/** The descriptor an index would use to point at this manifest. */
export function descriptorOf(manifest: Manifest, extra: Partial<Descriptor> = {}): Descriptor {
  return { ...extra, mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.size };
}

function inferredMediaType(body: Record<string, unknown>): string | undefined {
  if (Array.isArray(body.manifests)) return MediaTypes.ociIndex;
  if (body.config !== undefined && body.config !== null) return MediaTypes.ociManifest;
  return undefined;
}

function validated<T extends z.ZodType>(
  schema: T,
  body: Record<string, unknown>,
  mediaType: string,
  digest: string,
): z.infer<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
  throw new InvalidManifestError(`manifest ${digest} is not a valid ${describeType(mediaType)}: ${problems}`);
}

function describeType(mediaType: string): string {
  switch (mediaType) {
    case MediaTypes.ociIndex:
      return 'OCI image index';
    case MediaTypes.ociManifest:
      return 'OCI image manifest';
    case MediaTypes.dockerManifestList:
      return 'Docker manifest list';
    case MediaTypes.dockerManifest:
      return 'Docker schema 2 manifest';
    default:
      return mediaType;
  }
}

function schema1Error(mediaType: string, digest: string): UnsupportedManifestError {
  return new UnsupportedManifestError(
    mediaType,
    `manifest ${digest} is Docker schema 1 (${mediaType}), a format deprecated since 2017 that this client ` +
      'does not copy: converting it would change its digest. Re-push the image with a current tool ' +
      '(Docker schema 2 or OCI) and mirror that',
  );
}
