/**
 * The many-tags no-op between two Quay instances (the emulator of test/support, which serves Quay's tag API
 * and /v2 with Quay's token flow): mirror-repos diffs through the tag API (100 tags with digests a call),
 * skopeo sync has only the registry API. Same servers, same 1000 tags for both tools.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type MirrorQuay, startMirrorQuay } from '../test/support/mirror-fixture.js';
import { MIRROR_SCRIPT, SKOPEO_CACHE, type Timed, timedProcess } from './mirror-tools.js';

export interface QuayPair {
  source: MirrorQuay;
  destination: MirrorQuay;
  repositories: string[];
  images: number;
  close(): Promise<void>;
}

/** Two emulated Quay instances; `repositories × tags` small images in the source (org `small`). */
export async function startQuayPair(options: { repositories: number; tags: number }): Promise<QuayPair> {
  const [source, destination] = await Promise.all([startMirrorQuay(), startMirrorQuay()]);
  source.quay.seed.org('small', { owner: 'admin' });
  destination.quay.seed.org('sk', { owner: 'admin' });
  const repositories: string[] = [];
  for (let r = 0; r < options.repositories; r++) {
    const repository = `small/app-${String(r).padStart(2, '0')}`;
    repositories.push(repository);
    for (let t = 0; t < options.tags; t++)
      // Real gzip: containers/image compresses a layer it finds uncompressed, which would change digests.
      await source.quay.seed.pushImage(repository, [`t${t}`], {
        layers: [gzipSync(`${repository} base`), gzipSync(`${repository} t${t}`)],
      });
  }
  return {
    source,
    destination,
    repositories,
    images: options.repositories * options.tags,
    close: async () => {
      await Promise.all([source.quay.close(), destination.quay.close()]);
    },
  };
}

const hostOf = (quay: MirrorQuay) => new URL(quay.quay.url).host;

/** mirror-repos Quay → Quay with API tokens (from the environment, as in production). */
export function runMirrorReposQuay(dir: string, pair: QuayPair): Promise<Timed> {
  const config = join(dir, `mirror-quay-${process.hrtime.bigint()}.yaml`);
  writeFileSync(
    config,
    [
      'quay:',
      pair.source.instance('src'),
      pair.destination.instance('dst'),
      'mirror-repos:',
      '  source: src',
      '  destinations: [dst]',
      `  repositories: [${pair.repositories.join(', ')}]`,
      '',
    ].join('\n'),
  );
  return timedProcess(dir, process.execPath, [MIRROR_SCRIPT, '--config', config, '--log-level', 'warn'], {
    ...pair.source.env('src'),
    ...pair.destination.env('dst'),
  });
}

/** skopeo sync --all Quay → Quay (`sk/<name>`), the tokens in an auth file as `$oauthtoken` logins. */
export function runSkopeoSyncQuay(dir: string, pair: QuayPair, options: { cold: boolean }): Promise<Timed> {
  const auth = (quay: MirrorQuay) => ({
    auth: Buffer.from(`$oauthtoken:${quay.token}`).toString('base64'),
  });
  const authFile = join(dir, 'skopeo-quay-auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auths: { [hostOf(pair.source)]: auth(pair.source), [hostOf(pair.destination)]: auth(pair.destination) },
    }),
    { mode: 0o600 },
  );
  const yaml = join(dir, `skopeo-quay-${process.hrtime.bigint()}.yaml`);
  writeFileSync(
    yaml,
    [
      `${hostOf(pair.source)}:`,
      '  tls-verify: false',
      '  images:',
      ...pair.repositories.map((r) => `    ${r}: []`),
      '',
    ].join('\n'),
  );
  const args = ['sync', '--all', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false'];
  args.push('--src-authfile', authFile, '--dest-authfile', authFile, yaml, `${hostOf(pair.destination)}/sk`);
  if (options.cold) rmSync(SKOPEO_CACHE, { force: true });
  return timedProcess(dir, 'skopeo', args);
}
