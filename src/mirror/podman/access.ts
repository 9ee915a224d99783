/**
 * How podman reaches each configured instance. TLS: `--tls-verify=false` only for an instance with
 * `insecureSkipTlsVerify`, and for a plain http:// registry (podman has no other way to speak http); for
 * `caBundle` a `--cert-dir` holding only `ca.crt`; otherwise podman verifies as usual. Credentials are
 * resolved as the native engine resolves them (username/password, else the Quay token as `$oauthtoken`,
 * else an auth.json / docker config entry) and given to `podman login --password-stdin`, once per instance,
 * when first needed; the password never reaches an argument list, a log line or an error.
 */

import type { QuayInstanceConfig } from '../../config/sections/shared.js';
import type { Logger } from '../../report/logger.js';
import type { Redactor } from '../../secrets/redactor.js';
import { type Endpoint, registryCredentials } from '../sides/endpoint.js';
import { failureText, type PodmanSandbox } from './sandbox.js';

export type TlsMode =
  | { kind: 'insecure'; why: 'http' | 'insecureSkipTlsVerify' }
  | { kind: 'ca'; caBundle: string }
  | { kind: 'verify' };

export function tlsModeOf(instance: QuayInstanceConfig): TlsMode {
  if (new URL(instance.url).protocol === 'http:') return { kind: 'insecure', why: 'http' };
  if (instance.insecureSkipTlsVerify) return { kind: 'insecure', why: 'insecureSkipTlsVerify' };
  if (instance.caBundle !== undefined) return { kind: 'ca', caBundle: instance.caBundle };
  return { kind: 'verify' };
}

/** One instance as podman talks to it. */
export interface PodmanRegistry {
  readonly name: string;
  /** `host[:port]`, the registry part of image references. */
  readonly host: string;
  /** TLS flags for pull, push and login. */
  readonly tlsArgs: readonly string[];
  /** Logs in (once; later calls share the outcome). Rejects with a redacted message. */
  login(): Promise<void>;
}

export interface AccessDeps {
  sandbox: PodmanSandbox;
  instances: Readonly<Record<string, QuayInstanceConfig | undefined>>;
  log: Logger;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
}

export class PodmanAccess {
  readonly #deps: AccessDeps;
  readonly #registries = new Map<string, PodmanRegistry>();
  /** host → instance whose credentials podman holds for it (one login per host). */
  readonly #loggedInHosts = new Map<string, string>();

  constructor(deps: AccessDeps) {
    this.#deps = deps;
  }

  for(endpoint: Endpoint): PodmanRegistry {
    let registry = this.#registries.get(endpoint.name);
    if (!registry) {
      registry = this.#open(endpoint);
      this.#registries.set(endpoint.name, registry);
    }
    return registry;
  }

  #open(endpoint: Endpoint): PodmanRegistry {
    const { sandbox, log } = this.#deps;
    const instance = this.#deps.instances[endpoint.name];
    if (!instance) throw new Error(`mirror-repos: no quay instance named ${endpoint.name}`);
    const mode = tlsModeOf(instance);
    let tlsArgs: string[] = [];
    if (mode.kind === 'insecure') {
      tlsArgs = ['--tls-verify=false'];
      log.info(
        mode.why === 'http'
          ? `podman: ${endpoint.name} is plain http (${endpoint.url}): podman reaches an http registry only ` +
              'with --tls-verify=false, so that is used for it'
          : `podman: ${endpoint.name}: insecureSkipTlsVerify, so --tls-verify=false`,
      );
    } else if (mode.kind === 'ca') {
      tlsArgs = ['--cert-dir', sandbox.certDir(mode.caBundle)];
    }
    let loggedIn: Promise<void> | undefined;
    const login = () => {
      loggedIn ??= this.#login(endpoint, instance, tlsArgs);
      return loggedIn;
    };
    return { name: endpoint.name, host: endpoint.host, tlsArgs, login };
  }

  async #login(endpoint: Endpoint, instance: QuayInstanceConfig, tlsArgs: readonly string[]): Promise<void> {
    const { sandbox, log, redactor } = this.#deps;
    const credentials = registryCredentials(instance, endpoint.host, instance.token?.reveal(), {
      redactor,
      log,
      env: this.#deps.env,
    });
    if (!credentials) {
      log.debug(`podman: ${endpoint.name}: no credentials, pulls and pushes go anonymously`);
      return;
    }
    redactor.add(credentials.password);
    const holder = this.#loggedInHosts.get(endpoint.host);
    if (holder !== undefined && holder !== endpoint.name) {
      log.warn(
        `podman: ${endpoint.name} and ${holder} share the host ${endpoint.host}; podman keeps one login per ` +
          `host, so ${endpoint.name}'s credentials replace ${holder}'s`,
      );
    }
    const result = await sandbox.run(
      ['login', '--username', credentials.username, '--password-stdin', ...tlsArgs, endpoint.host],
      { input: credentials.password },
    );
    if (result.exitCode !== 0) {
      throw new Error(redactor.redact(failureText(`login to ${endpoint.name} (${endpoint.host})`, result)));
    }
    this.#loggedInHosts.set(endpoint.host, endpoint.name);
    log.info(`podman: logged in to ${endpoint.name} (${endpoint.host}) as ${credentials.username}`);
  }
}
