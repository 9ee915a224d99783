import type { ClusterCli } from './cluster-cli.js';
import type { KubeObject, ListQuery, ObjectRef } from './readiness/index.js';

/** `kind.version.group` (or the kind alone for the core group): the type argument kubectl resolves unambiguously. */
export function typeArgument(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return group ? `${kind}.${version}.${group}` : kind;
}

/** Reads objects for the readiness rules through oc/kubectl. */
export class ClusterObjects {
  readonly #cli: ClusterCli;

  constructor(cli: ClusterCli) {
    this.#cli = cli;
  }

  /** The object, or null when it does not exist (or its kind is not served yet). */
  async get(ref: ObjectRef): Promise<KubeObject | null> {
    const outcome = await this.#cli.run([
      'get',
      typeArgument(ref.apiVersion, ref.kind),
      ref.name,
      '-o',
      'json',
      ...ns(ref.namespace),
    ]);
    if (outcome.exitCode !== 0) {
      if (notThere(outcome.stderr)) return null;
      throw new Error(`reading ${ref.kind} ${ref.name}: ${outcome.stderr.trim().split('\n')[0]}`);
    }
    return JSON.parse(outcome.stdout) as KubeObject;
  }

  /** The objects a query names; empty for a kind the server does not serve. */
  async list(query: ListQuery): Promise<KubeObject[]> {
    const args = ['get', typeArgument(query.apiVersion, query.kind), '-o', 'json'];
    args.push(...(query.namespace ? ['-n', query.namespace] : ['--all-namespaces']));
    if (query.labelSelector) args.push('-l', query.labelSelector);
    const outcome = await this.#cli.run(args);
    if (outcome.exitCode !== 0) {
      if (notThere(outcome.stderr)) return [];
      throw new Error(`listing ${query.kind}: ${outcome.stderr.trim().split('\n')[0]}`);
    }
    return ((JSON.parse(outcome.stdout) as { items?: KubeObject[] }).items ?? []) as KubeObject[];
  }

  /** Whether the API server serves this kind now (discovery of its group version). */
  async served(apiVersion: string, kind: string): Promise<boolean> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const outcome = await this.#cli.run(['get', '--raw', path]);
    if (outcome.exitCode !== 0) {
      // A group version not served answers 404; anything else (no connection, no access) is an error.
      if (notThere(outcome.stderr) || /\(NotFound\)|404/.test(outcome.stderr)) return false;
      throw new Error(`discovery of ${apiVersion}: ${outcome.stderr.trim().split('\n')[0]}`);
    }
    const list = JSON.parse(outcome.stdout) as { resources?: { kind?: string; name?: string }[] };
    return (list.resources ?? []).some((r) => r.kind === kind && !r.name?.includes('/'));
  }

  /** The CRD that defines a kind, if one exists (served or not). */
  async crdFor(apiVersion: string, kind: string): Promise<KubeObject | undefined> {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (!group) return undefined;
    const crds = await this.list({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
    return crds.find((crd) => {
      const spec = crd.spec as { group?: string; names?: { kind?: string } } | undefined;
      return spec?.group === group && spec.names?.kind === kind;
    });
  }

  /** Approves an InstallPlan (OLM never approves a Manual plan itself). */
  async approveInstallPlan(ref: ObjectRef): Promise<void> {
    await this.#cli.runOrThrow([
      'patch',
      typeArgument(ref.apiVersion, ref.kind),
      ref.name,
      ...ns(ref.namespace),
      '--type=merge',
      '-p',
      '{"spec":{"approved":true}}',
    ]);
  }
}

function ns(namespace: string | undefined): string[] {
  return namespace ? ['-n', namespace] : [];
}

function notThere(stderr: string): boolean {
  return /NotFound|not found|the server doesn't have a resource type|no matches for kind|could not find the requested resource/i.test(
    stderr,
  );
}
