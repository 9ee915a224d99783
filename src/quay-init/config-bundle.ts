import { readFileSync } from 'node:fs';
import { dump, load } from 'js-yaml';
import type { ClusterCli } from '../cluster/cluster-cli.js';
import { ensureSecret, readSecretData } from '../cluster/secrets.js';
import type { QuayInitConfig } from '../config/sections/quay-init.js';
import { aliasExpansionProblem } from '../config/yaml-expansion.js';
import { errorMessage } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

const CONFIG_KEY = 'config.yaml';

export interface BundleDeps {
  cli: ClusterCli;
  report: Report;
  log: Logger;
  dryRun: boolean;
}

/**
 * The config-bundle Secret's name: the QuayRegistry's `spec.configBundleSecret` when a registry is named
 * (the original hard-coded both), else the configured name.
 */
export async function configBundleSecretName(
  section: QuayInitConfig,
  namespace: string,
  cli: ClusterCli,
): Promise<string> {
  if (section.registry) {
    const registry = await cli.get('quayregistry', section.registry, namespace);
    const name = (registry?.spec as { configBundleSecret?: unknown } | undefined)?.configBundleSecret;
    if (typeof name === 'string' && name !== '') return name;
    if (registry)
      throw new Error(`QuayRegistry ${namespace}/${section.registry} names no spec.configBundleSecret`);
  }
  return section.configBundle?.secretName ?? 'init-config-bundle-secret';
}

/**
 * Writes the config bundle from the configured file (and extra files) by server-side apply, keeping every
 * other key of an existing Secret. Configured super users are merged into its SUPER_USERS so this step and
 * the super-users step agree (and a second run changes nothing).
 */
export async function ensureConfigBundle(
  section: QuayInitConfig,
  namespace: string,
  deps: BundleDeps,
  variant: { transform?: (config: Record<string, unknown>) => Record<string, unknown>; detail?: string } = {},
): Promise<void> {
  const bundle = section.configBundle;
  if (!bundle) throw new Error('quay-init.configBundle is not configured');
  const name = await configBundleSecretName(section, namespace, deps.cli);
  const ref = `secret/${namespace}/${name}`;
  let text: string;
  try {
    text = readFileSync(bundle.file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the Quay config ${bundle.file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
    );
  }
  const config = parseQuayConfig(text, bundle.file);
  const merged = (variant.transform ?? ((c: Record<string, unknown>) => c))(
    withSuperUsers(config, section.superUsers),
  );
  const data: Record<string, string> = {
    [CONFIG_KEY]: merged === config ? text : dump(merged, { lineWidth: -1 }),
  };
  for (const [key, path] of Object.entries(bundle.extraFiles)) data[key] = readFileSync(path, 'utf8');
  const outcome = await ensureSecret(deps.cli, { name, namespace, data }, { dryRun: deps.dryRun });
  const detail = variant.detail ?? `config bundle from ${bundle.file}`;
  deps.report.add({ ref, action: outcome, detail });
  deps.log.info(`${ref}: ${outcome} (${detail})`);
}

/** The Quay config file of the bundle, parsed (for the LDAP bootstrap decision). */
export function readBundleConfig(section: QuayInitConfig): Record<string, unknown> {
  const file = section.configBundle?.file ?? '';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the Quay config ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
    );
  }
  return parseQuayConfig(text, file);
}

/** Adds the configured users to SUPER_USERS of the live config bundle, keeping every other key and setting. */
export async function ensureSuperUsers(
  section: QuayInitConfig,
  namespace: string,
  deps: BundleDeps,
): Promise<void> {
  const name = await configBundleSecretName(section, namespace, deps.cli);
  const ref = `secret/${namespace}/${name}#SUPER_USERS`;
  const data = await readSecretData(deps.cli, name, namespace);
  if (data?.[CONFIG_KEY] === undefined)
    throw new Error(`Secret ${namespace}/${name} has no ${CONFIG_KEY} (apply the config bundle first)`);
  const config = parseQuayConfig(data[CONFIG_KEY], `${ref}`);
  const merged = withSuperUsers(config, section.superUsers);
  if (merged === config) {
    deps.report.add({ ref, action: 'unchanged', detail: section.superUsers.join(', ') });
    return;
  }
  const outcome = await ensureSecret(
    deps.cli,
    { name, namespace, data: { [CONFIG_KEY]: dump(merged, { lineWidth: -1 }) } },
    { dryRun: deps.dryRun },
  );
  deps.report.add({
    ref,
    action: outcome,
    detail: `SUPER_USERS += ${section.superUsers.filter((u) => !superUsersIn(config).includes(u)).join(', ')}`,
  });
  deps.log.info(`${ref}: ${outcome}`);
}

/** SUPER_USERS of the live config bundle (for --take-ownership-all-super-users). */
export async function liveSuperUsers(
  section: QuayInitConfig,
  namespace: string,
  cli: ClusterCli,
): Promise<string[]> {
  const name = await configBundleSecretName(section, namespace, cli);
  const data = await readSecretData(cli, name, namespace);
  if (data?.[CONFIG_KEY] === undefined) throw new Error(`Secret ${namespace}/${name} has no ${CONFIG_KEY}`);
  return superUsersIn(parseQuayConfig(data[CONFIG_KEY], `${namespace}/${name}`));
}

function parseQuayConfig(text: string, source: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (error) {
    throw new Error(`the Quay config ${source} is not valid YAML: ${errorMessage(error).split('\n')[0]}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`the Quay config ${source} is not a mapping`);
  const bomb = aliasExpansionProblem(parsed);
  if (bomb !== undefined) throw new Error(`the Quay config ${source} is refused: ${bomb}`);
  return parsed as Record<string, unknown>;
}

function superUsersIn(config: Record<string, unknown>): string[] {
  const list = config.SUPER_USERS;
  return Array.isArray(list) ? list.map(String) : [];
}

/** The config with the users added to SUPER_USERS, or the same object when nothing is missing. */
function withSuperUsers(config: Record<string, unknown>, users: readonly string[]): Record<string, unknown> {
  const current = superUsersIn(config);
  const missing = users.filter((u) => !current.includes(u));
  return missing.length === 0 ? config : { ...config, SUPER_USERS: [...current, ...missing] };
}
