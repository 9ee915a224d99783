/**
 * What a copy engine needs of a registry, as a type: RegistryClient (a host over HTTP) has it, and so does
 * anything else that stores OCI content by repository, tag and digest (an oci-layout folder, src/archive/).
 * The signatures are RegistryClient's own, so a caller cannot tell the two apart.
 */
import type { Blobs } from './client/blobs.js';
import type { Manifests } from './client/manifests.js';
import type { Referrers } from './client/referrers.js';
import type { Tags } from './client/tags.js';
import type { Uploads } from './client/uploads.js';

export interface RegistryApi {
  readonly manifests: Pick<Manifests, 'head' | 'get' | 'put' | 'delete'>;
  readonly blobs: Pick<Blobs, 'head' | 'open'>;
  readonly uploads: Pick<Uploads, 'start' | 'mount' | 'complete' | 'cancel'>;
  readonly tags: Pick<Tags, 'list' | 'catalog'>;
  readonly referrers: Pick<Referrers, 'list'>;
  /**
   * A source that must finish a check before anything read from it is named at a destination (an archive
   * hashing itself while the blobs already flow): a copy awaits it before its first manifest PUT; a
   * rejection fails the copy with that error. Registries have none.
   */
  beforeNaming?(): Promise<void>;
  close(): Promise<void>;
}
