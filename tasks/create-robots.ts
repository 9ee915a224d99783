#!/usr/bin/env node
import { acceptedFlag, instanceFlag, secondaryRoleFlag } from '../src/cli/common-task-flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import { reportPlanOnly } from '../src/cli/not-implemented.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { requireInstances } from '../src/config/references.js';

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
  flags: [
    instanceFlag(SECTION),
    acceptedFlag('add-robot-account', 'Ensure the configured robots (what this task does)'),
    secondaryRoleFlag(SECTION),
  ],
  results: [{ name: 'robots', description: 'comma-separated full names of the robots present' }],
  async run(context) {
    const section = context.config[SECTION];
    requireInstances(context.config.quay, [
      { path: `${SECTION}.instance`, name: section.instance, needs: 'quay' },
    ]);
    const refs = section.robots.map(
      (robot) => `robot/${robot.organization ?? robot.user}+${robot.name} (${robot.state})`,
    );
    reportPlanOnly(context, refs, `on ${section.instance}`);
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
