import { setTimeout as later } from 'node:timers/promises';
import {
  type KubeEmulator,
  type KubeObject,
  OPENSHIFT_CRDS,
  startKubeEmulator,
} from './kube-emulator/index.js';

/**
 * Scripted controllers for the Kubernetes emulator: what OLM, ODF, the machine API and the Quay operator
 * do during an ODF + Quay install, in small timed steps (used by apply-ordered's tests and benchmark).
 */
const OPERATOR_KINDS = new Set(['StorageCluster', 'NooBaa', 'QuayRegistry']);
/** How long each scripted controller "works" before its next status. */
export const CONTROLLER_STEP_MS = 300;

export const meta = (o: KubeObject) =>
  o.metadata as { name: string; namespace?: string; generation?: number };
export const refOf = (o: KubeObject) => ({
  apiVersion: String(o.apiVersion),
  kind: String(o.kind),
  name: meta(o).name,
  namespace: meta(o).namespace,
});

/** Scripted controllers: what the operators of an ODF + Quay install do, in small timed steps. */
export function scriptControllers(
  kube: KubeEmulator,
  options: { failCsv?: string; quayNeverReady?: boolean; onEvent?: (event: string) => void },
): string[] {
  const log: string[] = [];
  const note = (event: string) => {
    log.push(event);
    options.onEvent?.(event);
  };
  // As OLM does: the InstallPlan creates the owned CRDs, and only then does the CSV leave Pending
  // (its requirements are met); it then installs the operator's Deployment and succeeds.
  const csvPhases = async (namespace: string, name: string, installCrds: () => void) => {
    for (const phase of [
      'Pending',
      'InstallReady',
      'Installing',
      options.failCsv === name ? 'Failed' : 'Succeeded',
    ]) {
      if (phase === 'InstallReady') installCrds();
      kube.set({
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'ClusterServiceVersion',
        metadata: { name, namespace },
        status: {
          phase,
          ...(phase === 'Failed'
            ? { reason: 'InstallComponentFailed', message: 'install strategy failed' }
            : {}),
        },
      });
      note(`csv ${name} ${phase}`);
      await later(CONTROLLER_STEP_MS);
    }
  };
  kube.onApply('MachineSet', async (ms, k) => {
    const replicas = Number((ms.spec as { replicas?: number }).replicas ?? 0);
    for (let ready = 0; ready <= replicas; ready++) {
      await later(CONTROLLER_STEP_MS);
      k.setStatus(refOf(ms), {
        replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        fullyLabeledReplicas: ready,
        observedGeneration: meta(ms).generation,
      });
    }
    note('machineset scaled');
  });
  kube.onApply('OperatorGroup', async (og, k) => {
    await later(CONTROLLER_STEP_MS);
    k.setStatus(refOf(og), { namespaces: [meta(og).namespace ?? ''], lastUpdated: new Date().toISOString() });
  });
  kube.onApply('Subscription', async (sub, k) => {
    const namespace = meta(sub).namespace ?? '';
    const csv = `${meta(sub).name}.v4.16.0`;
    // OLM reports AtLatestKnown while the CSV still installs: the trap a naive wait falls into.
    k.setStatus(refOf(sub), { state: 'AtLatestKnown', installedCSV: csv, currentCSV: csv });
    await csvPhases(namespace, csv, () => {
      const kinds = meta(sub).name === 'odf-operator' ? ['StorageCluster', 'NooBaa'] : ['QuayRegistry'];
      for (const def of OPENSHIFT_CRDS.filter((d) => kinds.includes(d.kind))) k.defineCrd(def);
      note(`crds for ${meta(sub).name} served`);
    });
  });
  kube.onApply('StorageCluster', async (sc, k) => {
    const namespace = meta(sc).namespace ?? '';
    k.setStatus(refOf(sc), { phase: 'Progressing' });
    await later(CONTROLLER_STEP_MS);
    k.set({
      apiVersion: 'noobaa.io/v1alpha1',
      kind: 'NooBaa',
      metadata: { name: 'noobaa', namespace },
      status: { phase: 'Ready' },
    });
    k.setStatus(refOf(sc), {
      phase: 'Ready',
      conditions: ['Available:True', 'Progressing:False', 'Degraded:False', 'Upgradeable:True'].map((c) => {
        const [type, status] = c.split(':');
        return {
          type,
          status,
          lastTransitionTime: new Date().toISOString(),
          reason: 'ReconcileCompleted',
          message: '',
        };
      }),
    });
    note('storagecluster ready');
  });
  kube.onApply('Console', async (console, k) => {
    k.setStatus(refOf(console), {
      observedGeneration: meta(console).generation,
      conditions: [{ type: 'Available', status: 'True' }],
    });
  });
  kube.onApply('QuayRegistry', async (qr, k) => {
    k.setStatus(refOf(qr), {
      conditions: [{ type: 'Available', status: 'False', reason: 'ComponentsCreationInProgress' }],
    });
    if (options.quayNeverReady) return;
    await later(CONTROLLER_STEP_MS);
    k.setStatus(refOf(qr), {
      currentVersion: '3.9.4',
      registryEndpoint: 'https://central-quay.apps.example.com',
      conditions: [
        { type: 'Available', status: 'True', reason: 'HealthChecksPassing' },
        { type: 'ComponentsCreated', status: 'True', reason: 'ComponentsCreationSuccess' },
        { type: 'RolloutBlocked', status: 'False' },
      ],
    });
    note('quayregistry ready');
  });
  return log;
}

export async function startCluster(): Promise<KubeEmulator> {
  const kube = await startKubeEmulator({
    // The operator CRDs appear only when their operator's CSV succeeds.
    crds: [
      ...OPENSHIFT_CRDS.filter((d) => !OPERATOR_KINDS.has(d.kind)),
      { group: 'operator.openshift.io', kind: 'Console', scope: 'Cluster' },
    ],
    namespaces: ['default', 'openshift-operators', 'openshift-machine-api'],
  });
  kube.set({
    apiVersion: 'config.openshift.io/v1',
    kind: 'Infrastructure',
    metadata: { name: 'cluster' },
    status: { infrastructureName: 'mycluster-x7k2p' },
  });
  return kube;
}
