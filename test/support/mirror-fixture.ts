/**
 * Helpers for the mirror-repos integration tests: emulated Quay instances with a superuser token each,
 * a config naming them (and plain registries), the task run as a process with its JSON report, and
 * reads of what landed at a destination.
 */
import { RegistryClient } from '../../src/registry/index.js';
import { type QuayEmulator, startQuayEmulator } from './quay-emulator/index.js';
import type { QuayEmulatorOptions } from './quay-emulator/options.js';
import { type JsonReport, reportOf } from './quay-fixture.js';
import type { RegistryServer } from './registry-server.js';
import { type CliResult, runCli } from './run-cli.js';
import { tempDir, writeFile } from './temp.js';

export interface MirrorQuay {
  quay: QuayEmulator;
  token: string;
  /** `name: {url, token: {env}}` for the `quay` section. */
  instance(name: string): string;
  env(name: string): Record<string, string>;
}

export async function startMirrorQuay(features: QuayEmulatorOptions['features'] = {}): Promise<MirrorQuay> {
  const quay = await startQuayEmulator({ superUsers: ['admin'], features });
  const { token } = quay.seed.userWithToken('admin');
  const envName = (name: string) => `QT_${name.toUpperCase().replace(/-/g, '_')}_TOKEN`;
  return {
    quay,
    token,
    instance: (name) => `  ${name}: {url: ${quay.url}, token: {env: ${envName(name)}}}`,
    env: (name) => ({ [envName(name)]: token }),
  };
}

/** `name: {type: registry, url}` for a plain docker-registry. */
export function registryInstance(name: string, registry: RegistryServer): string {
  return `  ${name}: {type: registry, url: ${registry.url}}`;
}

export interface MirrorRun extends CliResult {
  report: JsonReport;
  /** ref → action */
  actions: Record<string, string>;
  refs(action: string): string[];
}

/** Writes the config (`quay:` lines, then the `mirror-repos:` body) and runs the task with `--output json`. */
export async function runMirror(
  instances: readonly string[],
  section: string,
  options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<MirrorRun> {
  const dir = tempDir('mirror-test-');
  const config = writeFile(dir, 'config.yaml', `quay:\n${instances.join('\n')}\nmirror-repos:\n${section}\n`);
  const result = await runCli(
    'mirror-repos',
    ['--config', config, '--output', 'json', ...(options.args ?? [])],
    {
      env: options.env,
    },
  );
  let report: JsonReport;
  try {
    report = reportOf(result);
  } catch {
    throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stderr}`);
  }
  const actions = Object.fromEntries(report.items.map((i) => [i.ref, i.action]));
  return {
    ...result,
    report,
    actions,
    refs: (action) =>
      report.items
        .filter((i) => i.action === action)
        .map((i) => i.ref)
        .sort(),
  };
}

/** A registry client for reading what a test put somewhere (`$oauthtoken` for an emulated Quay). */
export function readerFor(target: MirrorQuay | RegistryServer): RegistryClient {
  if ('quay' in target) {
    return new RegistryClient({
      registry: target.quay.host,
      scheme: 'http',
      credentials: { username: '$oauthtoken', password: target.token },
      http: { sleep: async () => undefined },
    });
  }
  return new RegistryClient({ registry: target.host, scheme: 'http' });
}

/** Alive tag → digest of a repository in an emulated Quay (empty when it does not exist). */
export function quayTags(quay: QuayEmulator, path: string): Record<string, string> {
  const slash = path.indexOf('/');
  const repo = quay.state.getRepo(path.slice(0, slash), path.slice(slash + 1));
  const out: Record<string, string> = {};
  if (!repo) return out;
  for (const tag of repo.tags) {
    const alive = quay.state.aliveTag(repo, tag.name);
    if (alive && !tag.name.startsWith('$temp-')) out[tag.name] = alive.manifestDigest;
  }
  return out;
}
