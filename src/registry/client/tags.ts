/**
 * Listings of one host. Follows OCI distribution-spec "Listing Tags" (`GET /v2/<name>/tags/list`, `n` for a
 * page size, `Link` to the next page) and the `_catalog` extension of distribution (not in the OCI spec).
 * Quay's catalog lists only what the caller may read; its page token is opaque (mirror-anchors.md §2.7).
 */
import * as z from 'zod';
import { RegistryProtocolError } from '../types/errors.js';
import { assertRepository } from '../types/reference.js';
import type { RegistryReadOptions, RegistryTransport } from './transport.js';

const tagListSchema = z.looseObject({ name: z.string().optional(), tags: z.array(z.string()).nullish() });
const catalogSchema = z.looseObject({ repositories: z.array(z.string()).nullish() });

export class Tags {
  readonly #transport: RegistryTransport;

  constructor(transport: RegistryTransport) {
    this.#transport = transport;
  }

  /** Every tag of a repository, following `Link` pagination (`n` asks for a page size; registries may cap it). */
  async list(
    repository: string,
    options: RegistryReadOptions & { pageSize?: number } = {},
  ): Promise<string[]> {
    assertRepository(repository);
    const transport = this.#transport;
    const tags: string[] = [];
    for await (const page of transport.pages(`list tags of ${repository}`, {
      path: `/v2/${repository}/tags/list`,
      query: { n: options.pageSize },
      headers: { accept: 'application/json' },
      auth: transport.read(repository, options),
    })) {
      const parsed = tagListSchema.safeParse(transport.json(page.body, `the tag list of ${repository}`));
      if (!parsed.success) {
        throw new RegistryProtocolError(
          `${transport.registry}: the tag list of ${repository} is not {"tags": [...]}`,
        );
      }
      // Not push(...page): a registry that answers 100k+ tags in one page would overflow the call stack.
      for (const tag of parsed.data.tags ?? []) tags.push(tag);
    }
    return tags;
  }

  /**
   * Every repository the credentials may see (`GET /v2/_catalog`, a distribution extension, not in the OCI
   * spec), following `Link`. Quay lists only what the caller may read and needs a superuser for everything.
   */
  async catalog(options: { pageSize?: number } = {}): Promise<string[]> {
    const transport = this.#transport;
    const repositories: string[] = [];
    for await (const page of transport.pages('list repositories (catalog)', {
      path: '/v2/_catalog',
      query: { n: options.pageSize },
      headers: { accept: 'application/json' },
      auth: transport.withScopes(['registry:catalog:*']),
    })) {
      const parsed = catalogSchema.safeParse(transport.json(page.body, 'the catalog'));
      if (!parsed.success) {
        throw new RegistryProtocolError(`${transport.registry}: the catalog is not {"repositories": [...]}`);
      }
      for (const repository of parsed.data.repositories ?? []) repositories.push(repository);
    }
    return repositories;
  }
}
