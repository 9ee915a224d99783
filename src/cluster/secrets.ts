import { dockerConfigJson, type RegistryCredential } from '../credentials/index.js';
import type { ClusterCli } from './cluster-cli.js';

export interface SecretSpec {
  name: string;
  namespace: string;
  type?: string;
  /** Keys to set; other keys of an existing Secret are kept (server-side apply owns only these). */
  data: Record<string, string>;
}

/** The decoded `data` of a Secret, or undefined when it does not exist. */
export async function readSecretData(
  cli: ClusterCli,
  name: string,
  namespace: string,
): Promise<Record<string, string> | undefined> {
  const secret = await cli.get('secret', name, namespace);
  if (!secret) return undefined;
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
  );
}

/**
 * Makes the given keys of a Secret hold these values, by server-side apply, and says what changed.
 * Values go to the CLI through stdin, never argv. The keys written are taken over from whoever set
 * them before (`--force-conflicts`: e.g. a bundle made with `oc create secret`); other keys are untouched.
 */
export async function ensureSecret(
  cli: ClusterCli,
  spec: SecretSpec,
  options: { dryRun: boolean },
): Promise<'created' | 'updated' | 'unchanged' | 'planned'> {
  const current = await readSecretData(cli, spec.name, spec.namespace);
  const same =
    current !== undefined && Object.entries(spec.data).every(([key, value]) => current[key] === value);
  if (same) return 'unchanged';
  if (options.dryRun) return 'planned';
  await cli.apply(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spec.name, namespace: spec.namespace },
      ...(spec.type ? { type: spec.type } : {}),
      data: Object.fromEntries(
        Object.entries(spec.data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]),
      ),
    },
    { forceConflicts: true },
  );
  return current === undefined ? 'created' : 'updated';
}

/** A `kubernetes.io/dockerconfigjson` pull secret holding one registry credential. */
export function writePullSecret(
  cli: ClusterCli,
  secret: { name: string; namespace: string },
  registry: string,
  credential: RegistryCredential,
  options: { dryRun: boolean },
): Promise<'created' | 'updated' | 'unchanged' | 'planned'> {
  return ensureSecret(
    cli,
    {
      ...secret,
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': JSON.stringify(dockerConfigJson({ [registry]: credential })) },
    },
    options,
  );
}
