#!/usr/bin/env node
import { booleanKeyFlag, instanceFlag, secondaryRoleFlag } from '../src/cli/common-task-flags.js';
import { setInSection } from '../src/cli/flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { ConfigError } from '../src/config/errors.js';
import { registryInstance, requireSectionQuay } from '../src/config/references.js';
import { QUAY_INIT_STEPS, type QuayInitStep, runQuayInit } from '../src/quay-init/run-quay-init.js';

const SECTION = 'quay-init';

/** The original management flags, each selecting one step; without any (and without --only) every configured step runs. */
const ORIGINAL_STEP_FLAGS: ReadonlyArray<{ flag: string; step: QuayInitStep; description: string }> = [
  {
    flag: 'initialize-user',
    step: 'initialize-user',
    description: 'Create the first user through /api/v1/user/initialize',
  },
  {
    flag: 'add-super-user',
    step: 'super-users',
    description: 'Add superUsers to SUPER_USERS in the config bundle',
  },
  { flag: 'add-admin-org', step: 'admin-org', description: 'Create the admin organization' },
  {
    flag: 'manage-orgs',
    step: 'organizations',
    description: 'Create and delete organizations as configured',
  },
  {
    flag: 'take-ownership',
    step: 'take-ownership',
    description: 'Add takeOwnership.users to team owners of every organization',
  },
];

export const definition: TaskDefinition<'quay' | 'cluster' | 'quay-init'> = {
  name: 'quay-init',
  summary: 'first user, organizations, super users, ownership and the config bundle of a Quay',
  description: `
Initialises a Quay: the config-bundle secret (keeping its other keys), the first user (its 2.5 h
token handed on to a file, a Tekton result or a GitHub output), organizations present or absent,
super users and ownership (team owners of every organization). Every step is idempotent.
Steps: ${QUAY_INIT_STEPS.join(', ')}.`,
  sections: ['quay', 'cluster', SECTION],
  legacyRole: (flags) => (flags['configure-secondary-quay-server'] ? 'secondary' : 'primary'),
  instancesInUse: (config) => [config[SECTION].instance],
  flags: [
    instanceFlag(SECTION),
    {
      name: 'only',
      type: 'list',
      valueName: 'STEP',
      choices: QUAY_INIT_STEPS,
      description: 'Run only this step (repeatable); default: every configured step',
    },
    ...ORIGINAL_STEP_FLAGS.map((s) => ({
      name: s.flag,
      type: 'boolean' as const,
      original: true,
      description: s.description,
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
    {
      name: 'initial-user-token',
      description: 'API token of the first user (expires after 2.5 h; masked in logs)',
    },
  ],
  validate: (config) => {
    const section = config[SECTION];
    requireSectionQuay(config.quay, SECTION, section.instance);
    const needsNamespace =
      section.configBundle !== undefined ||
      section.superUsers.length > 0 ||
      section.takeOwnership?.allSuperUsers;
    if (needsNamespace && !section.namespace) {
      throw new ConfigError([
        {
          path: `${SECTION}.namespace`,
          message:
            'missing: the config bundle, super users and all-super-users ownership live in a Secret of this namespace',
          expected: 'the namespace of the QuayRegistry',
          example: 'namespace: quay',
        },
      ]);
    }
  },
  async run(context) {
    const section = context.config[SECTION];
    const only = new Set<QuayInitStep>((context.flags.only as QuayInitStep[] | undefined) ?? []);
    for (const { flag, step } of ORIGINAL_STEP_FLAGS) if (context.flags[flag]) only.add(step);
    if (context.flags['take-ownership-all-super-users']) only.add('take-ownership');
    await runQuayInit(
      section,
      registryInstance(context.config.quay, section.instance),
      context.config.cluster,
      only,
      context,
    );
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
