/**
 * The contenders of `npm run bench:mirror`: the built mirror-repos task and `skopeo sync --all`, each a
 * process under `/usr/bin/time` (for its peak RSS), and a raw copy of the unique blobs (GET streamed into
 * PUT, bounded concurrency) on the project's registry client: the practical limit of the link.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mapPool } from '../src/concurrency/work-pool.js';
import { RegistryClient } from '../src/registry/index.js';
import type { DataSet } from './mirror-sets.js';

export const MIRROR_SCRIPT = fileURLToPath(new URL('../bin/mirror-repos.js', import.meta.url));
const TIME = '/usr/bin/time';
/** containers/image's blob-info cache for root; deleted before cold skopeo runs (local-infra.md §3). */
export const SKOPEO_CACHE = '/var/lib/containers/cache/blob-info-cache-v1.boltdb';

export interface Timed {
  seconds: number;
  /** Peak RSS in MB (10^6 bytes) from /usr/bin/time, undefined when not available. */
  rssMB: number | undefined;
  exitCode: number;
  stderrTail: string;
}

/** Runs a command, timing it from spawn to exit, with `/usr/bin/time -f %M` for its peak RSS. */
export async function timedProcess(
  dir: string,
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<Timed> {
  const rssFile = join(dir, `rss-${process.hrtime.bigint()}.txt`);
  const useTime = existsSync(TIME);
  const [cmd, argv] = useTime ? [TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
  const started = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
  const seconds = (performance.now() - started) / 1000;
  let rssMB: number | undefined;
  if (useTime && existsSync(rssFile)) {
    const kb = Number.parseInt(readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '', 10);
    if (Number.isFinite(kb)) rssMB = (kb * 1024) / 1e6;
    rmSync(rssFile, { force: true });
  }
  return { seconds, rssMB, exitCode, stderrTail: stderr };
}

export interface Registries {
  source: string;
  destination: string;
}

/** mirror-repos between two plain registries (`type: registry`), an explicit list of repositories. */
export function runMirrorRepos(
  dir: string,
  hosts: Registries,
  repositories: readonly string[],
  concurrency?: number,
): Promise<Timed> {
  return runMirrorConfig(dir, 'mirror', [
    'quay:',
    `  src: {type: registry, url: "http://${hosts.source}"}`,
    `  dst: {type: registry, url: "http://${hosts.destination}"}`,
    'mirror-repos:',
    '  source: src',
    '  destinations: [dst]',
    `  repositories: [${repositories.join(', ')}]`,
    ...(concurrency === undefined ? [] : [`  concurrency: ${concurrency}`]),
  ]);
}

/** The bundled mirror-repos, one process, with a config of these lines (written to `dir`, removed after). */
export async function runMirrorConfig(dir: string, label: string, lines: readonly string[]): Promise<Timed> {
  const config = join(dir, `${label}-${process.hrtime.bigint()}.yaml`);
  writeFileSync(config, [...lines, ''].join('\n'));
  const result = await timedProcess(dir, process.execPath, [
    MIRROR_SCRIPT,
    '--config',
    config,
    '--log-level',
    'warn',
  ]);
  rmSync(config, { force: true });
  return result;
}

/** `skopeo sync --all` with a YAML source naming every repository (all tags): one process. */
export async function runSkopeoSync(
  dir: string,
  hosts: Registries,
  repositories: readonly string[],
  destinationPrefix: string,
  options: { cold: boolean },
): Promise<Timed> {
  if (options.cold) rmSync(SKOPEO_CACHE, { force: true });
  const yaml = join(dir, `skopeo-${process.hrtime.bigint()}.yaml`);
  writeFileSync(
    yaml,
    [
      `${hosts.source}:`,
      '  tls-verify: false',
      '  images:',
      ...repositories.map((r) => `    ${r}: []`),
      '',
    ].join('\n'),
  );
  const result = await timedProcess(dir, 'skopeo', [
    'sync',
    '--all',
    '--src',
    'yaml',
    '--dest',
    'docker',
    '--dest-tls-verify=false',
    yaml,
    `${hosts.destination}/${destinationPrefix}`,
  ]);
  rmSync(yaml, { force: true });
  return result;
}

/** skopeo puts `<repo>` at `DEST/<prefix>/<last path component>`. */
export function skopeoName(prefix: string, repository: string): string {
  return `${prefix}/${repository.slice(repository.lastIndexOf('/') + 1)}`;
}

/** Every distinct blob of the set: GET from the source streamed into a POST+PUT at the destination. */
export async function rawCopy(hosts: Registries, set: DataSet, concurrency: number): Promise<Timed> {
  const source = new RegistryClient({ registry: hosts.source, scheme: 'http' });
  const destination = new RegistryClient({ registry: hosts.destination, scheme: 'http' });
  const blobs = [...set.blobs.entries()].sort((a, b) => b[1].size - a[1].size);
  const started = performance.now();
  try {
    await mapPool(blobs, concurrency, async ([digest, { repository, size }]) => {
      const stream = await source.blobs.open(repository, digest, { size });
      await destination.uploads.upload(repository, digest, size, stream.body);
    });
    return { seconds: (performance.now() - started) / 1000, rssMB: undefined, exitCode: 0, stderrTail: '' };
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

/** Tags whose destination digest differs from the source's (HEAD each), for a run's sanity check. */
export async function wrongTags(
  destinationHost: string,
  set: DataSet,
  nameAt: (repository: string) => string,
): Promise<string[]> {
  const client = new RegistryClient({ registry: destinationHost, scheme: 'http' });
  try {
    const wrong: string[] = [];
    await mapPool([...set.tags.entries()], 8, async ([ref, digest]) => {
      const colon = ref.lastIndexOf(':');
      const head = await client.manifests.head(nameAt(ref.slice(0, colon)), ref.slice(colon + 1));
      if (head?.digest !== digest) wrong.push(ref);
    });
    return wrong;
  } finally {
    await client.close();
  }
}
