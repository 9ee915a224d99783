/**
 * The manifests applied to the cluster: server-side apply with field manager quay-tasks, the manifest on
 * stdin (`apply --server-side --field-manager=quay-tasks -f -`), through the run's oc/kubectl (src/cluster,
 * auth from the `cluster` section: never a token on argv). Whether it changed anything is read from the
 * object's resourceVersion before and after: the API server keeps it when an apply changes nothing.
 */
import type { ClusterCli } from '../../cluster/cluster-cli.js';
import { errorMessage } from '../../report/item-failure.js';
import type { MirrorSetManifest } from './mirror-sets.js';

export interface ApplyOutcome {
  ref: string;
  action: 'created' | 'updated' | 'unchanged' | 'failed';
  error?: string;
}

const RESOURCE: Record<MirrorSetManifest['kind'], string> = {
  ImageDigestMirrorSet: 'imagedigestmirrorsets.config.openshift.io',
  ImageTagMirrorSet: 'imagetagmirrorsets.config.openshift.io',
};

export async function applyManifests(
  cli: () => Promise<ClusterCli>,
  manifests: readonly MirrorSetManifest[],
): Promise<ApplyOutcome[]> {
  const outcomes: ApplyOutcome[] = [];
  for (const manifest of manifests) {
    const name = String((manifest.object.metadata as { name: string }).name);
    const ref = `${manifest.kind}/${name}`;
    try {
      const kubectl = await cli();
      const before = await kubectl.get(RESOURCE[manifest.kind], name);
      await kubectl.runOrThrow(['apply', '--server-side', '--field-manager=quay-tasks', '-f', '-'], {
        input: manifest.yaml,
      });
      const after = await kubectl.get(RESOURCE[manifest.kind], name);
      const version = (o: Record<string, unknown> | undefined) =>
        (o?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      const action =
        before === undefined ? 'created' : version(before) === version(after) ? 'unchanged' : 'updated';
      outcomes.push({ ref, action });
    } catch (error) {
      outcomes.push({ ref, action: 'failed', error: errorMessage(error) });
    }
  }
  return outcomes;
}
