/**
 * The variables of a manifest folder: which ones the files use, which are defined nowhere (what
 * --validate-config and --plan reject just as a run does), and their values, INFRA_ID read from the cluster
 * when a manifest uses it.
 */
import type { ClusterCli } from '../cluster/cluster-cli.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { ApplyOrderedConfig } from '../config/sections/apply-ordered.js';
import { INFRA_ID, variablesUsed } from './substitute.js';

/** Each variable the manifests use, with the files that use it. */
export function variableUses(files: readonly { name: string; text: string }[]): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const file of files)
    for (const name of variablesUsed(file.text)) used.set(name, [...(used.get(name) ?? []), file.name]);
  return used;
}

/**
 * The variables a manifest uses but neither the config nor the environment defines (INFRA_ID aside: a
 * real run reads it from the cluster), each naming its files: what --validate-config and --plan reject
 * just as a run does.
 */
export function undefinedVariables(
  used: ReadonlyMap<string, readonly string[]>,
  config: Pick<ApplyOrderedConfig, 'variables'>,
  env: NodeJS.ProcessEnv,
): ConfigIssue[] {
  const missing: ConfigIssue[] = [];
  for (const [name, files] of used) {
    if (name === INFRA_ID || config.variables[name] !== undefined || env[name] !== undefined) continue;
    missing.push({
      path: 'apply-ordered.variables',
      message: `variable ${name} is used by ${files.join(', ')} but not defined (config or environment)`,
      example: `variables: {${name}: value}`,
    });
  }
  return missing;
}

export async function variableValues(
  used: ReadonlyMap<string, readonly string[]>,
  config: ApplyOrderedConfig,
  deps: { env: NodeJS.ProcessEnv; plan: boolean },
  cluster: () => Promise<ClusterCli>,
): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const missing = undefinedVariables(used, config, deps.env);
  if (missing.length > 0) throw new ConfigError(missing);
  for (const name of used.keys()) {
    const value = config.variables[name] ?? deps.env[name];
    if (value !== undefined) values.set(name, value);
    else if (name === INFRA_ID && !deps.plan) {
      // Read only when a manifest uses it, from infrastructure/cluster (OpenShift).
      const cli = await cluster();
      const infra = await cli.get('infrastructures.config.openshift.io', 'cluster');
      const id = (infra?.status as { infrastructureName?: unknown } | undefined)?.infrastructureName;
      if (typeof id === 'string' && id !== '') values.set(INFRA_ID, id);
      else
        missing.push({
          path: 'apply-ordered.variables',
          message:
            'INFRA_ID (or <INFRAID>) is used, but infrastructure/cluster has no status.infrastructureName',
          example: 'variables: {INFRA_ID: mycluster-x7k2p}',
        });
    } else if (name === INFRA_ID && deps.plan) {
      // --plan does not reach the cluster: INFRA_ID stays a placeholder.
      values.set(name, `\${${name}}`);
    }
  }
  if (missing.length > 0) throw new ConfigError(missing);
  return values;
}
