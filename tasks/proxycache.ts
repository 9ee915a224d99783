#!/usr/bin/env node
import {
  acceptedFlag,
  booleanKeyFlag,
  instanceFlag,
  secondaryRoleFlag,
} from '../src/cli/common-task-flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { requireSectionQuay } from '../src/config/references.js';
import { ensureProxyCaches } from '../src/proxycache/ensure-proxycache.js';
import { withQuayClient } from '../src/quay/from-config.js';

const SECTION = 'proxycache';

export const definition: TaskDefinition<'quay' | 'proxycache'> = {
  name: 'proxycache',
  summary: 'create, replace or delete the proxy-cache configuration of Quay organizations',
  description: `
Configures pull-through caching per organization: creates the organization when asked, validates
the upstream credentials with Quay before creating, replaces a different configuration only with
overwrite, deletes with state: absent. A conflict in one organization does not stop the others.`,
  sections: ['quay', SECTION],
  legacyRole: (flags) => (flags['configure-secondary-quay-server'] ? 'secondary' : 'primary'),
  instancesInUse: (config) => [config[SECTION].instance],
  flags: [
    instanceFlag(SECTION),
    booleanKeyFlag(SECTION, 'overwrite', 'overwrite', 'Replace a different existing configuration'),
    acceptedFlag('add-proxycache', 'Configure the proxy caches (what this task does)'),
    booleanKeyFlag(SECTION, 'overwrite', 'overwrite-proxycache', 'Same as --overwrite', true),
    secondaryRoleFlag(SECTION),
  ],
  validate: (config) => requireSectionQuay(config.quay, SECTION, config[SECTION].instance),
  async run(context) {
    const section = context.config[SECTION];
    await withQuayClient(context.config.quay, section.instance, context, (quay) =>
      ensureProxyCaches(section.caches, {
        quay,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
        createOrganizations: section.createOrganizations,
        overwrite: section.overwrite,
      }),
    );
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
