/**
 * `npm run bench:apply`: how long apply-ordered takes, after the last object of a wave became ready,
 * to apply the next wave (goal ≤ 0.5 s), and how long a re-run on
 * the finished cluster takes (goal ≤ 2.5 s; it must change nothing). Runs the original ODF + Quay install folder with the real kubectl
 * against the Kubernetes emulator and its scripted operators, and reads the times from the emulator's
 * hooks: the last change of a wave's objects before the next wave, and the next wave's first apply.
 */
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readManifestFiles } from '../src/apply/manifest-files.js';
import { INFRA_ID } from '../src/apply/substitute.js';
import { buildWaves } from '../src/apply/waves.js';
import { fixture } from '../test/support/paths.js';
import { scriptControllers, startCluster } from '../test/support/scripted-operators.js';
import { tempDir, writeFile } from '../test/support/temp.js';

const folder = fixture('original', 'samples', 'odf_quay_manifests');
const kube = await startCluster();
scriptControllers(kube, {});
const key = (o: { kind?: unknown; metadata?: unknown }) =>
  `${String(o.kind)}/${(o.metadata as { name?: string }).name}`;
const changes: { at: number; key: string }[] = [];
const applies: { at: number; key: string }[] = [];
for (const kind of [
  'MachineSet',
  'Namespace',
  'OperatorGroup',
  'Subscription',
  'StorageCluster',
  'ConfigMap',
  'Console',
  'QuayRegistry',
  'ClusterServiceVersion',
  'NooBaa',
]) {
  kube.onChange(kind, ({ object }) => void changes.push({ at: performance.now(), key: key(object) }));
  kube.onApply(kind, (object) => void applies.push({ at: performance.now(), key: key(object) }));
}
const dir = tempDir();
const config = writeFile(
  dir,
  'c.yaml',
  `cluster: {cli: kubectl, server: ${kube.url}, token: {env: KUBE_TOKEN}, caBundle: ${kube.caPath}}\n`,
);
const runOnce = () =>
  execa(
    'node',
    [
      fileURLToPath(new URL('../bin/apply-ordered.js', import.meta.url)),
      '--config',
      config,
      folder,
      '--log-level',
      'error',
      '--output',
      'json',
    ],
    {
      env: {
        KUBE_TOKEN: kube.token,
        HOME: kube.env.HOME ?? '',
        KUBECACHEDIR: kube.env.KUBECACHEDIR ?? '',
        PATH: process.env.PATH,
      },
      extendEnv: false,
      reject: false,
    },
  );
const started = performance.now();
const result = await runOnce();
const total = performance.now() - started;
if (result.exitCode !== 0) throw new Error(`apply-ordered failed: ${String(result.stderr)}`);
// The same folder again on the finished cluster: everything applied and ready, nothing may change.
const againStarted = performance.now();
const again = await runOnce();
const againTotal = performance.now() - againStarted;
await kube.close();
if (again.exitCode !== 0) throw new Error(`apply-ordered re-run failed: ${String(again.stderr)}`);
const againChanged = (JSON.parse(String(again.stdout)) as { changed?: number }).changed;

const { waves } = buildWaves(readManifestFiles(folder).files, new Map([[INFRA_ID, 'x']]));
const gaps: { from: string; to: string; ms: number }[] = [];
for (let i = 0; i + 1 < waves.length; i++) {
  const wave = waves[i];
  const next = waves[i + 1];
  if (!wave || !next) continue;
  const nextKeys = new Set(next.documents.map((d) => `${d.object.kind}/${d.object.metadata.name}`));
  const nextApply = applies.find((a) => nextKeys.has(a.key))?.at;
  const keys = new Set(wave.documents.map((d) => `${d.object.kind}/${d.object.metadata.name}`));
  // A Subscription is ready when its CSV is: count CSV changes with the wave that applied the Subscription.
  const lastReady = changes
    .filter(
      (c) =>
        (keys.has(c.key) ||
          (c.key.startsWith('ClusterServiceVersion/') &&
            wave.documents.some((d) => d.object.kind === 'Subscription'))) &&
        nextApply !== undefined &&
        c.at < nextApply,
    )
    .at(-1)?.at;
  if (nextApply !== undefined && lastReady !== undefined)
    gaps.push({ from: wave.prefix, to: next.prefix, ms: nextApply - lastReady });
}
for (const gap of gaps)
  process.stdout.write(`wave ${gap.from} ready → wave ${gap.to} applied: ${(gap.ms / 1000).toFixed(2)} s\n`);
const worst = Math.max(...gaps.map((g) => g.ms));
process.stdout.write(
  `whole install: ${(total / 1000).toFixed(1)} s; worst gap ${(worst / 1000).toFixed(2)} s (goal ≤ 0.5 s)\n`,
);
process.stdout.write(
  `no-change re-run (${waves.length} waves): ${(againTotal / 1000).toFixed(2)} s (goal ≤ 2.5 s); ${againChanged === 0 ? 'no change' : `CHANGED ${String(againChanged)}`}\n`,
);
