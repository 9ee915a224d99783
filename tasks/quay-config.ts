#!/usr/bin/env node
import { instanceFlag } from '../src/cli/common-task-flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { requireSectionQuay } from '../src/config/references.js';
import { withQuayClient } from '../src/quay/from-config.js';
import { runQuayConfig } from '../src/quay-config/run-quay-config.js';

const SECTION = 'quay-config';

export const definition: TaskDefinition<'quay' | 'quay-config'> = {
  name: 'quay-config',
  summary:
    'declare what Quay organizations hold: teams, default permissions, repositories, notifications, quota',
  description: `
Makes each organization of the config hold its declared teams (role, description, members), default
permissions, repositories (visibility, description, user/robot/team permissions, notifications) and
quota. What is not declared is left alone, unless its list is written {exclusive: true, items: [...]}:
then the rest is removed and reported. --dry-run (or --plan) prints each write and makes none.`,
  sections: ['quay', SECTION],
  instancesInUse: (config) => [config[SECTION].instance],
  flags: [
    instanceFlag(SECTION),
    {
      name: 'plan',
      type: 'boolean',
      description: 'Same as --dry-run: print each write, make none',
      dryRun: true,
    },
  ],
  validate: (config) => requireSectionQuay(config.quay, SECTION, config[SECTION].instance),
  async run(context) {
    const section = context.config[SECTION];
    await withQuayClient(context.config.quay, section.instance, context, (quay) =>
      runQuayConfig(section, {
        quay,
        section: SECTION,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
      }),
    );
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
