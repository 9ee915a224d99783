export { RegistryAuth, type RegistryAuthOptions, type TokenHttpOptions } from './auth.js';
export { type BlobReadStats, type BlobStream, openResumableBlob } from './blob-reader.js';
export {
  type AuthChallengeParams,
  mergeScopes,
  parseScope,
  parseWwwAuthenticate,
  repositoryScope,
  type Scope,
  scopesCover,
} from './challenge.js';
export type { BlobInfo, Blobs } from './client/blobs.js';
export type { ManifestDescriptor, Manifests, PushedManifest } from './client/manifests.js';
export type { Referrers, ReferrersResult } from './client/referrers.js';
export type { Tags } from './client/tags.js';
export type {
  RegistryClientOptions,
  RegistryHttpOptions,
  RegistryReadOptions,
} from './client/transport.js';
export type {
  BlobBody,
  MountResult,
  PushedBlob,
  UploadSession,
  Uploads,
} from './client/uploads.js';
export { nextLink } from './pagination.js';
export type { RegistryApi } from './registry-api.js';
export { type PingResult, RegistryClient } from './registry-client.js';
export {
  createDigestVerifier,
  DigestVerifier,
  type DigestVerifierOptions,
  sha256Digest,
  verifyDigest,
} from './types/digest.js';
export {
  BlobReadError,
  DigestMismatchError,
  InvalidManifestError,
  InvalidReferenceError,
  RegistryAuthError,
  RegistryError,
  type RegistryErrorEntry,
  RegistryProtocolError,
  UnsupportedManifestError,
} from './types/errors.js';
export {
  blobsOf,
  childManifests,
  type Descriptor,
  DescriptorSchema,
  descriptorOf,
  type ImageManifest,
  type Manifest,
  type ManifestIndex,
  type ParseManifestOptions,
  type Platform,
  PlatformSchema,
  parseManifest,
  referencedDescriptors,
} from './types/manifest.js';
export {
  type ImageManifestMediaType,
  type IndexMediaType,
  isForeignLayerMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  MANIFEST_ACCEPT,
  MANIFEST_MEDIA_TYPES,
  type ManifestMediaType,
  MediaTypes,
  mediaTypeOf,
} from './types/media-types.js';
export {
  assertDigest,
  assertRepository,
  assertTagOrDigest,
  DEFAULT_TAG,
  DOCKER_HUB,
  digestProblem,
  formatReference,
  type ImageReference,
  isDigest,
  manifestReferenceOf,
  normalizeRegistry,
  type ParseReferenceOptions,
  parseReference,
  registryProblem,
  repositoryProblem,
  tagProblem,
} from './types/reference.js';
