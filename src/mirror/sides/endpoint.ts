/**
 * One configured instance as the mirror talks to it: its registry (always) and, for a Quay instance with
 * an API token, its API. Registry credentials are the instance's username/password, else the API token as
 * `$oauthtoken` (Quay accepts it at /v2/auth, quay-api.md §11.1), else an auth.json / docker config entry.
 */

import { pathToFileURL } from 'node:url';
import { OciArchive } from '../../archive/open-archive.js';
import type { InstanceConfig, QuayInstanceConfig } from '../../config/sections/shared.js';
import { findRegistryCredentials, type RegistryCredential } from '../../credentials/index.js';
import type { QuayClient } from '../../quay/client.js';
import { quayClientFor } from '../../quay/from-config.js';
import { type RegistryApi, RegistryClient } from '../../registry/index.js';
import type { Logger } from '../../report/logger.js';
import type { Redactor } from '../../secrets/redactor.js';

export interface Endpoint {
  /** Entry of the `quay` section. */
  readonly name: string;
  readonly kind: 'quay' | 'registry' | 'oci-layout';
  /** Base URL as configured (an archive: the file: URL of its folder). */
  readonly url: string;
  /**
   * `host[:port]`, the key for per-host limits and for where blobs are known to be (an archive:
   * `oci-layout:<absolute path>`).
   */
  readonly host: string;
  readonly registry: RegistryApi;
  /** An oci-layout archive (src/archive/): opened before the plan (sides/archives.ts), finished after. */
  readonly archive?: OciArchive;
  /** The Quay API, when this is Quay and a token is configured. */
  readonly api: QuayClient | undefined;
  /**
   * The name a cluster pulls one of this endpoint's repositories by, `host[:port]/path`: the source side of
   * an ImageDigestMirrorSet rule. A registry knows it from its URL; a source that is not the registry the
   * images came from (an oci-layout archive) names that original registry instead, from what it recorded;
   * undefined when no cluster can pull it by a name (a folder, or an archive that did not record it).
   */
  pullName(path: string): string | undefined;
}

export interface EndpointContext {
  redactor: Redactor;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** HTTP connections per origin (MirrorLimits). */
  connectionsPerOrigin: number;
}

export function openEndpoint(name: string, instance: InstanceConfig, context: EndpointContext): Endpoint {
  if (instance.type === 'oci-layout') {
    const archive = new OciArchive(name, instance);
    return {
      name,
      kind: 'oci-layout',
      url: pathToFileURL(archive.path).href,
      host: `oci-layout:${archive.path}`,
      get registry() {
        return archive.registry;
      },
      api: undefined,
      archive,
      pullName: (path) => archive.pullName(path),
    };
  }
  const url = new URL(instance.url);
  const host = url.host;
  const token = instance.token?.reveal();
  const registry = new RegistryClient({
    registry: host,
    scheme: url.protocol === 'http:' ? 'http' : 'https',
    credentials: registryCredentials(instance, host, token, context),
    redactor: context.redactor,
    http: {
      caBundlePath: instance.caBundle,
      insecureSkipTlsVerify: instance.insecureSkipTlsVerify,
      maxConnectionsPerOrigin: context.connectionsPerOrigin,
      logger: { debug: (message) => context.log.debug(message) },
    },
  });
  const api =
    instance.type === 'quay' && token !== undefined
      ? quayClientFor(instance, { redactor: context.redactor, log: context.log }, { name })
      : undefined;
  return {
    name,
    kind: instance.type,
    url: instance.url,
    host,
    registry,
    api,
    pullName: (path) => `${host}/${path}`,
  };
}

export async function closeEndpoints(endpoints: Iterable<Endpoint>): Promise<void> {
  await Promise.all(
    [...endpoints].map((e) =>
      Promise.all([e.archive ? e.archive.close() : e.registry.close(), e.api?.close()]),
    ),
  );
}

/** The registry credentials of an instance as the native engine resolves them (the podman engine too). */
export function registryCredentials(
  instance: QuayInstanceConfig,
  host: string,
  token: string | undefined,
  context: Omit<EndpointContext, 'connectionsPerOrigin'>,
): RegistryCredential | undefined {
  const password = instance.password?.reveal();
  if (instance.username !== undefined && password !== undefined) {
    return { username: instance.username, password };
  }
  if (instance.type === 'quay' && token !== undefined) return { username: '$oauthtoken', password: token };
  const found = findRegistryCredentials(host, undefined, { env: context.env, redactor: context.redactor });
  if (found) context.log.debug(`registry credentials for ${host} from ${found.file} (${found.key})`);
  return found ? { username: found.username, password: found.password } : undefined;
}
