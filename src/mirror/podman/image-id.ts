/**
 * What podman keeps of an image across a pull and a push: its config digest (podman's image ID). The push
 * recompresses every layer, so the destination's manifest digest never equals the source's, but the config
 * is pushed byte for byte. For an index, the image is the one a podman on this host pulls: the entry for
 * this host's platform (linux/amd64 on x86-64). Read through the registry clients, memoised per digest.
 */
import { endianness } from 'node:os';
import type { HostLimiter } from '../../concurrency/host-limiter.js';
import type { Manifest } from '../../registry/index.js';
import type { Endpoint } from '../sides/endpoint.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Node's `process.arch` as Go (and so podman and OCI platforms) names it. */
const GO_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The platform podman on this machine pulls from an index. */
export function hostPlatform(): Platform {
  const architecture =
    process.arch === 'ppc64'
      ? endianness() === 'LE'
        ? 'ppc64le'
        : 'ppc64'
      : (GO_ARCH[process.arch] ?? process.arch);
  const variant = architecture === 'arm64' ? 'v8' : undefined;
  return { os: process.platform === 'win32' ? 'windows' : process.platform, architecture, variant };
}

export function platformText(platform: Platform): string {
  return `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
}

export interface PodmanImage {
  /** The config digest: podman's image ID. */
  configDigest: string;
  /** Config and layer sizes as stored at this registry. */
  bytes: number;
  /** The index it was chosen from, when the reference named an index. */
  fromIndex: boolean;
}

export class ImageIds {
  readonly #limiter: HostLimiter;
  readonly #platform: Platform;
  readonly #memo = new Map<string, Promise<PodmanImage>>();

  constructor(limiter: HostLimiter, platform: Platform = hostPlatform()) {
    this.#limiter = limiter;
    this.#platform = platform;
  }

  get platform(): Platform {
    return this.#platform;
  }

  /** The image podman would pull for `digest` from `repository` at `endpoint`. */
  of(endpoint: Endpoint, repository: string, digest: string): Promise<PodmanImage> {
    const key = `${endpoint.host}|${digest}`;
    let image = this.#memo.get(key);
    if (!image) {
      image = this.#resolve(endpoint, repository, digest);
      this.#memo.set(key, image);
      image.catch(() => this.#memo.delete(key));
    }
    return image;
  }

  async #resolve(endpoint: Endpoint, repository: string, digest: string): Promise<PodmanImage> {
    const read = (reference: string) =>
      this.#limiter.run([endpoint.host], () => endpoint.registry.manifests.get(repository, reference));
    let manifest: Manifest = await read(digest);
    let fromIndex = false;
    if (manifest.kind === 'index') {
      const child = pickPlatform(manifest.manifests, this.#platform);
      if (!child) {
        throw new Error(
          `index ${digest} has no ${platformText(this.#platform)} image, which podman here would pull`,
        );
      }
      manifest = await read(child.digest);
      fromIndex = true;
      if (manifest.kind === 'index') throw new Error(`index ${digest} nests another index for its platform`);
    }
    const bytes = manifest.config.size + manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    return { configDigest: manifest.config.digest, bytes, fromIndex };
  }
}

/** The index entry for a platform: os and architecture must match; a matching (or absent) variant wins. */
export function pickPlatform<T extends { platform?: { os: string; architecture: string; variant?: string } }>(
  entries: readonly T[],
  platform: Platform,
): T | undefined {
  const candidates = entries.filter(
    (e) => e.platform?.os === platform.os && e.platform.architecture === platform.architecture,
  );
  return (
    candidates.find((e) => e.platform?.variant === platform.variant) ??
    candidates.find((e) => e.platform?.variant === undefined) ??
    candidates[0]
  );
}
