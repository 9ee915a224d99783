#!/usr/bin/env node
import { acceptedFlag, instanceFlag, secondaryRoleFlag } from '../src/cli/common-task-flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { lazyCluster } from '../src/cluster/lazy-cluster.js';
import { writePullSecret } from '../src/cluster/secrets.js';
import { registryInstance, requireSectionQuay } from '../src/config/references.js';
import { quayClientFor } from '../src/quay/from-config.js';
import { checkRobots } from '../src/robots/check-robots.js';
import { ensureRobots } from '../src/robots/ensure-robots.js';

const SECTION = 'create-robots';

export const definition: TaskDefinition<'quay' | 'cluster' | 'create-robots'> = {
  name: 'create-robots',
  summary: 'create, check and delete Quay robot accounts with repository permissions',
  description: `
Makes the robot accounts of the config exist (or not, with state: absent) in organizations or user
namespaces, with their description, repository permissions and teams, and hands their credentials
on as a kubernetes.io/dockerconfigjson Secret or an auth.json file — never printed.`,
  sections: ['quay', 'cluster', SECTION],
  legacyRole: (flags) => (flags['configure-secondary-quay-server'] ? 'secondary' : 'primary'),
  instancesInUse: (config) => [config[SECTION].instance],
  flags: [
    instanceFlag(SECTION),
    acceptedFlag('add-robot-account', 'Ensure the configured robots (what this task does)'),
    secondaryRoleFlag(SECTION),
  ],
  results: [{ name: 'robots', description: 'comma-separated full names of the robots present' }],
  validate: (config) => {
    requireSectionQuay(config.quay, SECTION, config[SECTION].instance);
    checkRobots(config[SECTION].robots, SECTION);
  },
  async run(context) {
    const section = context.config[SECTION];
    const instance = registryInstance(context.config.quay, section.instance);
    const quay = quayClientFor(instance, context, { requireToken: true, name: section.instance });
    const cluster = lazyCluster(context.config.cluster, context);
    try {
      await ensureRobots(section.robots, {
        quay,
        registryHost: new URL(instance.url).host,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
        writePullSecret: async (secret, registry, credential) =>
          writePullSecret(await cluster.get(), secret, registry, credential, { dryRun: context.dryRun }),
      });
    } finally {
      await quay.close();
      await cluster.close();
    }
    const present = section.robots
      .filter((r) => r.state === 'present')
      .map((r) => `${r.organization ?? r.user}+${r.name}`);
    context.setResult('robots', present.join(','));
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
