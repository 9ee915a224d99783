/**
 * The OCI distribution API of one registry host (distribution-spec v1.1), on src/http: manifests, blobs
 * (resumable verified downloads), uploads (monolithic, cross-repository mounts), tags and referrers, each a
 * sub-object over one shared transport (client/). `ping` is the spec's API version check (`GET /v2/`).
 * Operations, not policy: what to copy, in which order and whether to skip is the copy engine's business.
 */
import type { Redactor } from '../secrets/redactor.js';
import { Blobs } from './client/blobs.js';
import { Manifests } from './client/manifests.js';
import { Referrers } from './client/referrers.js';
import { Tags } from './client/tags.js';
import { type RegistryClientOptions, RegistryTransport } from './client/transport.js';
import { Uploads } from './client/uploads.js';

export interface PingResult {
  /** 200 on `/v2/`, with credentials if any were given. */
  ok: boolean;
  status: number;
  /** `Docker-Distribution-API-Version`, e.g. `registry/2.0`. */
  apiVersion: string | undefined;
  /** What the registry asked for: `unknown` when it never sent a challenge. */
  authScheme: 'unknown' | 'basic' | 'bearer';
}

export class RegistryClient {
  /** `host[:port]`. */
  readonly registry: string;
  /** Base URL of the API, e.g. `https://quay.example.com`. */
  readonly url: string;
  readonly redactor: Redactor;
  /** head/get/put/delete manifest (client/manifests.ts). */
  readonly manifests: Manifests;
  /** head/open blob (client/blobs.ts). */
  readonly blobs: Blobs;
  /** start/mount/complete/cancel an upload, or upload a blob in one call (client/uploads.ts). */
  readonly uploads: Uploads;
  /** list a repository's tags, the catalog (client/tags.ts). */
  readonly tags: Tags;
  /** list referrers (client/referrers.ts). */
  readonly referrers: Referrers;
  readonly #transport: RegistryTransport;

  constructor(options: RegistryClientOptions) {
    const transport = new RegistryTransport(options);
    this.#transport = transport;
    this.registry = transport.registry;
    this.url = transport.url;
    this.redactor = transport.redactor;
    this.manifests = new Manifests(transport);
    this.blobs = new Blobs(transport);
    this.uploads = new Uploads(transport);
    this.tags = new Tags(transport);
    this.referrers = new Referrers(transport);
  }

  /** Lets in-flight requests finish, then closes every connection (registry and token realms). */
  async close(): Promise<void> {
    await this.#transport.close();
  }

  /**
   * `GET /v2/`: is this a registry, and are the credentials accepted? Wrong credentials at a token realm
   * throw RegistryAuthError; a 401 the client cannot answer gives `ok: false`.
   */
  async ping(): Promise<PingResult> {
    const response = await this.#transport.send('ping the registry', {
      path: '/v2/',
      auth: this.#transport.withScopes([]),
      allowStatus: [401],
    });
    await response.dump();
    return {
      ok: response.status === 200,
      status: response.status,
      apiVersion: response.header('docker-distribution-api-version'),
      authScheme: this.#transport.authScheme,
    };
  }
}
