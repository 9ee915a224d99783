/**
 * Referrers of one host: the manifests whose `subject` is a digest (signatures, SBOMs). Follows OCI
 * distribution-spec "Listing Referrers" (`GET /v2/<name>/referrers/<digest>`, an OCI index, `Link` pages,
 * `artifactType` filter with `OCI-Filters-Applied`). A 404 means the registry has no referrers API
 * (docker-registry 2.8): callers fall back to the `sha256-<hex>` tag schema. When the registry did not apply
 * the filter, it is applied here.
 */

import { RegistryProtocolError } from '../types/errors.js';
import { type Descriptor, parseManifest } from '../types/manifest.js';
import { MediaTypes } from '../types/media-types.js';
import { assertDigest, assertRepository } from '../types/reference.js';
import type { RegistryTransport } from './transport.js';

export type ReferrersResult =
  | { supported: false }
  | {
      supported: true;
      manifests: Descriptor[];
      /** Whether the registry applied the artifactType filter itself (it was applied here otherwise). */
      filteredByRegistry: boolean;
    };

export class Referrers {
  readonly #transport: RegistryTransport;

  constructor(transport: RegistryTransport) {
    this.#transport = transport;
  }

  /**
   * Manifests whose `subject` is `digest` (`GET /v2/<name>/referrers/<digest>`, spec "Listing Referrers").
   * A 404 means the registry has no referrers API (docker-registry 2.8): use the `sha256-<hex>` tag schema.
   */
  async list(
    repository: string,
    digest: string,
    options: { artifactType?: string } = {},
  ): Promise<ReferrersResult> {
    assertRepository(repository);
    assertDigest(digest);
    const transport = this.#transport;
    const manifests: Descriptor[] = [];
    let filteredByRegistry = options.artifactType === undefined;
    for await (const page of transport.pages(`list referrers of ${repository}@${digest}`, {
      path: `/v2/${repository}/referrers/${digest}`,
      query: { artifactType: options.artifactType },
      headers: { accept: MediaTypes.ociIndex },
      auth: transport.pull(repository),
      allowStatus: [404],
    })) {
      if (page.response.status === 404) return { supported: false };
      if (
        page.response
          .header('oci-filters-applied')
          ?.split(',')
          .some((f) => f.trim() === 'artifactType')
      ) {
        filteredByRegistry = true;
      }
      const index = parseManifest(page.body, { contentType: page.response.header('content-type') });
      if (index.kind !== 'index') {
        throw new RegistryProtocolError(
          `${transport.registry}: the referrers answer for ${digest} is not an index`,
        );
      }
      manifests.push(...index.manifests);
    }
    const wanted = options.artifactType;
    const filtered = wanted === undefined ? manifests : manifests.filter((m) => m.artifactType === wanted);
    return { supported: true, manifests: filtered, filteredByRegistry };
  }
}
