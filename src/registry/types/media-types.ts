/** Media types of the OCI image-spec and Docker image manifest v2 (schema 2) specifications. */
export const MediaTypes = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociNondistributableLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  ociNondistributableLayerGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  ociNondistributableLayerZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
} as const;

export type IndexMediaType = typeof MediaTypes.ociIndex | typeof MediaTypes.dockerManifestList;
export type ImageManifestMediaType = typeof MediaTypes.ociManifest | typeof MediaTypes.dockerManifest;
export type ManifestMediaType = IndexMediaType | ImageManifestMediaType;

/** The manifest types this client reads and writes, most preferred first. */
export const MANIFEST_MEDIA_TYPES: readonly ManifestMediaType[] = [
  MediaTypes.ociIndex,
  MediaTypes.ociManifest,
  MediaTypes.dockerManifestList,
  MediaTypes.dockerManifest,
];

/**
 * Accept header for manifest GET/HEAD. Naming every type matters: distribution 2.8 answers 404 for an OCI
 * index the Accept header does not name, and converts a schema 2 manifest to schema 1 when Accept is empty
 * (local-infra.md §1d). Schema 1 is left out on purpose, so a registry never down-converts to it.
 */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Layers that registries do not store (they are fetched from `urls`); a copy leaves them where they are. */
const FOREIGN_LAYER_TYPES: ReadonlySet<string> = new Set([
  MediaTypes.dockerForeignLayer,
  MediaTypes.ociNondistributableLayer,
  MediaTypes.ociNondistributableLayerGzip,
  MediaTypes.ociNondistributableLayerZstd,
]);

/** `type/subtype` of a Content-Type header value: parameters dropped, lower-cased. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  const value = contentType?.split(';')[0]?.trim().toLowerCase();
  return value === '' ? undefined : value;
}

export function isIndexMediaType(mediaType: string): mediaType is IndexMediaType {
  return mediaType === MediaTypes.ociIndex || mediaType === MediaTypes.dockerManifestList;
}

export function isImageManifestMediaType(mediaType: string): mediaType is ImageManifestMediaType {
  return mediaType === MediaTypes.ociManifest || mediaType === MediaTypes.dockerManifest;
}

export function isManifestMediaType(mediaType: string): mediaType is ManifestMediaType {
  return isIndexMediaType(mediaType) || isImageManifestMediaType(mediaType);
}

export function isSchema1MediaType(mediaType: string): boolean {
  return mediaType === MediaTypes.dockerSchema1 || mediaType === MediaTypes.dockerSchema1Signed;
}

export function isForeignLayerMediaType(mediaType: string): boolean {
  return FOREIGN_LAYER_TYPES.has(mediaType);
}
