#!/usr/bin/env node
import { booleanKeyFlag, instanceFlag, secondaryRoleFlag } from '../src/cli/common-task-flags.js';
import { setInSection } from '../src/cli/flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import { reportPlanOnly } from '../src/cli/not-implemented.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { requireInstances } from '../src/config/references.js';

const SECTION = 'quay-init';

/** The original management flags that select steps of quay-init; without any, every configured step runs. */
export const QUAY_INIT_STEPS = [
  { flag: 'initialize-user', description: 'Create the first user through /api/v1/user/initialize' },
  { flag: 'add-super-user', description: 'Add superUsers to SUPER_USERS in the config bundle' },
  { flag: 'add-admin-org', description: 'Create the admin organization' },
  { flag: 'manage-orgs', description: 'Create and delete organizations as configured' },
  { flag: 'take-ownership', description: 'Add takeOwnership.users to team owners of every organization' },
] as const;

export const definition: TaskDefinition<'quay' | 'cluster' | 'quay-init'> = {
  name: 'quay-init',
  summary: 'first user, organizations, super users, ownership and the config bundle of a Quay',
  description: `
Initialises a Quay: the config-bundle secret (keeping its other keys), the first user (its 2.5 h
token handed on to a Secret, a file, a Tekton result or a GitHub output), organizations present or
absent, super users and ownership (team owners of every organization). Every step is idempotent.`,
  sections: ['quay', 'cluster', SECTION],
  legacyRole: (flags) => (flags['configure-secondary-quay-server'] ? 'secondary' : 'primary'),
  flags: [
    instanceFlag(SECTION),
    ...QUAY_INIT_STEPS.map((step) => ({
      name: step.flag,
      type: 'boolean' as const,
      original: true,
      description: step.description,
    })),
    {
      ...booleanKeyFlag(
        SECTION,
        'allSuperUsers',
        'take-ownership-all-super-users',
        'Also every SUPER_USERS user takes ownership',
        true,
      ),
      override: (document) => {
        const section = (document[SECTION] ?? {}) as Record<string, unknown>;
        setInSection(document, SECTION, 'takeOwnership', {
          ...(section.takeOwnership as object | undefined),
          allSuperUsers: true,
        });
      },
    },
    secondaryRoleFlag(SECTION),
  ],
  results: [
    { name: 'initial-user-token', description: 'token of the first user (expires after 2.5 h; masked)' },
  ],
  validate: (config) =>
    requireInstances(config.quay, [
      { path: `${SECTION}.instance`, name: config[SECTION].instance, needs: 'quay' },
    ]),
  async run(context) {
    const section = context.config[SECTION];
    const refs: string[] = [];
    if (section.configBundle) refs.push(`config-bundle/${section.configBundle.secretName}`);
    if (section.initialUser) refs.push(`user/${section.initialUser.username}`);
    if (section.adminOrganization) refs.push(`org/${section.adminOrganization}`);
    for (const org of section.organizations) refs.push(`org/${org.name} (${org.state})`);
    if (section.superUsers.length > 0) refs.push(`super-users/${section.superUsers.join(',')}`);
    for (const user of section.takeOwnership?.users ?? []) refs.push(`ownership/${user}`);
    reportPlanOnly(context, refs, `on ${section.instance}`);
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
