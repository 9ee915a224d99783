/**
 * Standalone launcher of one emulator, for manual use (the demo starts serve.ts, which takes a JSON spec):
 *
 *   node dist/test/support/quay-emulator/main.js --port 0 [--host 127.0.0.1] [--blob-dir DIR]
 *        [--feature proxyCache=true ...] [--super-user NAME ...] [--admin NAME] [--no-seed]
 *        [--server-hostname H] [--ssrf-allow HOST_OR_CIDR ...]
 *
 * Prints one JSON line `{"url","host","serverHostname","adminUser","adminPassword","adminToken"}` on stdout (the
 * admin is a superuser with an all-scopes token; with --no-seed the database is empty and the admin fields are
 * null, e.g. to exercise user initialize) and runs until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { isMainModule } from '../../../src/cli/main.js';
import { startQuayEmulator } from './index.js';
import { DEFAULT_FEATURES, type QuayFeatures } from './options.js';

function parseFeatures(values: string[]): Partial<QuayFeatures> {
  const features: Partial<QuayFeatures> = {};
  for (const value of values) {
    const [name = '', flag = 'true'] = value.split('=');
    if (!(name in DEFAULT_FEATURES))
      throw new Error(`unknown feature ${name}; known: ${Object.keys(DEFAULT_FEATURES).join(', ')}`);
    features[name as keyof QuayFeatures] = flag === 'true' || flag === '1';
  }
  return features;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'blob-dir': { type: 'string' },
      feature: { type: 'string', multiple: true, default: [] },
      'super-user': { type: 'string', multiple: true, default: [] },
      admin: { type: 'string', default: 'admin' },
      'no-seed': { type: 'boolean', default: false },
      'server-hostname': { type: 'string' },
      'ssrf-allow': { type: 'string', multiple: true, default: [] },
    },
  });
  const seed = !values['no-seed'];
  const superUsers = [...(values['super-user'] ?? [])];
  if (seed && !superUsers.includes(values.admin)) superUsers.push(values.admin);
  const quay = await startQuayEmulator({
    port: Number(values.port),
    host: values.host,
    blobDir: values['blob-dir'],
    features: parseFeatures(values.feature ?? []),
    superUsers,
    serverHostname: values['server-hostname'],
    ssrfAllowedHosts: values['ssrf-allow'],
  });
  const admin = seed ? quay.seed.userWithToken(values.admin) : undefined;
  process.stdout.write(
    `${JSON.stringify({
      url: quay.url,
      host: quay.host,
      serverHostname: quay.serverHostname,
      adminUser: admin?.username ?? null,
      adminPassword: admin?.password ?? null,
      adminToken: admin?.token ?? null,
    })}\n`,
  );
  const stop = (): void => {
    quay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (isMainModule(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`quay-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
