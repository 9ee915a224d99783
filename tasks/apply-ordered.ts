#!/usr/bin/env node
import { readManifestFiles } from '../src/apply/manifest-files.js';
import { runApplyOrdered, undefinedVariables, variableUses } from '../src/apply/run-apply.js';
import { acceptedFlag, booleanKeyFlag } from '../src/cli/common-task-flags.js';
import { UsageError } from '../src/cli/errors.js';
import { setInSection } from '../src/cli/flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { lazyCluster } from '../src/cluster/lazy-cluster.js';
import { ConfigError } from '../src/config/errors.js';

const SECTION = 'apply-ordered';

export const definition: TaskDefinition<'cluster' | 'apply-ordered'> = {
  name: 'apply-ordered',
  summary: 'apply a folder of manifests in file-name order and wait until each wave is ready',
  description: `
Applies the .yaml/.yml files of DIR in waves by their numeric file-name prefix (0001-…, 002-…),
with server-side apply through oc or kubectl, and between waves waits for real readiness:
Subscriptions until their CSV succeeds, CRDs until served, PVCs until bound, workloads and
custom resources until ready. No fixed sleeps.`,
  usage: '[DIR]',
  sections: ['cluster', SECTION],
  flags: [
    {
      name: 'cli',
      type: 'string',
      valueName: 'CLI',
      choices: ['oc', 'kubectl'],
      description: 'Cluster CLI (default: oc when on PATH, else kubectl)',
      override: (document, value) => setInSection(document, 'cluster', 'cli', value),
    },
    { name: 'plan', type: 'boolean', description: 'Print the waves and what each waits for, then stop' },
    booleanKeyFlag(SECTION, 'forceConflicts', 'force-conflicts', 'Server-side apply with --force-conflicts'),
    booleanKeyFlag(
      SECTION,
      'approveInstallPlans',
      'approve-install-plans',
      'Approve InstallPlans that wait for approval',
    ),
    {
      name: 'directory',
      type: 'string',
      valueName: 'DIR',
      description: 'The manifest folder (same as DIR; overrides apply-ordered.directory)',
      override: (document, value) => setInSection(document, SECTION, 'directory', value),
    },
    acceptedFlag('setup-quay-openshift', 'Apply the manifest folder (what this task does)'),
    {
      name: 'openshift-yaml-dir',
      type: 'string',
      valueName: 'DIR',
      original: true,
      description: 'The manifest folder (the original parsed this flag but ignored it; here it works)',
      override: (document, value) => setInSection(document, SECTION, 'directory', value),
    },
  ],
  results: [{ name: 'applied', description: 'number of objects applied' }],
  positionals: (document, positionals) => {
    if (positionals.length > 1)
      throw new UsageError(`expected one folder, got ${positionals.length}: ${positionals.join(' ')}`);
    if (positionals[0] !== undefined) setInSection(document, SECTION, 'directory', positionals[0]);
  },
  // --validate-config and --plan reject an undefined ${VAR} as a run would. A folder not there (yet:
  // a config validated before the checkout) is left to the run, which names it.
  validate(config, env) {
    const section = config[SECTION];
    if (section.directory === undefined) return;
    const files = readManifestFiles(section.directory);
    const missing = undefinedVariables(variableUses(files.files), section, env);
    if (missing.length > 0) throw new ConfigError(missing);
  },
  async run(context) {
    const section = context.config[SECTION];
    const directory = section.directory;
    if (directory === undefined) {
      throw new UsageError(
        'no manifest folder: give DIR, --directory DIR or apply-ordered.directory in the config',
      );
    }
    const cluster = lazyCluster(context.config.cluster, context);
    try {
      await runApplyOrdered(directory, section, {
        cluster: cluster.get,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
        plan: context.flags.plan === true,
        env: context.env,
      });
    } finally {
      await cluster.close();
    }
    const applied = context.report.items.filter((i) =>
      ['created', 'updated', 'unchanged'].includes(i.action),
    ).length;
    context.setResult('applied', String(applied));
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
