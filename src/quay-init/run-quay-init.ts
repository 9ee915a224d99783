import type { Logger } from '../ci/logger.js';
import type { Report } from '../ci/report.js';
import type { QuayInitConfig } from '../config/sections/quay-init.js';
import type { QuayInstanceConfig } from '../config/sections/shared.js';
import type { QuayClient } from '../quay/client.js';
import { quayClientFor } from '../quay/from-config.js';
import type { Redactor } from '../secrets/redactor.js';
import { initializeFirstUser } from './initialize-user.js';
import { ensureOrganizations } from './organizations.js';
import { takeOwnership } from './take-ownership.js';

/** quay-init's steps, in the order the original management script ran them (its §2.3). */
export const QUAY_INIT_STEPS = [
  'config-bundle',
  'initialize-user',
  'super-users',
  'admin-org',
  'organizations',
  'take-ownership',
] as const;
export type QuayInitStep = (typeof QUAY_INIT_STEPS)[number];

export interface QuayInitContext {
  report: Report;
  log: Logger;
  redactor: Redactor;
  dryRun: boolean;
  setSecretResult: (name: string, value: string) => void;
}

/**
 * Runs the selected steps (all configured ones when `only` is empty). A token created by the first-user
 * step serves the later steps of the same run when the instance has none configured (the original sent
 * `Bearer None` there, its defect 35).
 */
export async function runQuayInit(
  section: QuayInitConfig,
  instance: QuayInstanceConfig,
  only: ReadonlySet<QuayInitStep>,
  context: QuayInitContext,
): Promise<void> {
  const selected = (step: QuayInitStep, configured: boolean): boolean =>
    only.size > 0 ? only.has(step) : configured;
  const clients: QuayClient[] = [];
  const open = (token?: string | null): QuayClient => {
    const made = quayClientFor(instance, context, { token });
    clients.push(made);
    return made;
  };
  try {
    let api = instance.token ? open() : undefined;

    if (selected('config-bundle', section.configBundle !== undefined)) {
      notYet(context, `config-bundle/${section.configBundle?.secretName ?? 'init-config-bundle-secret'}`);
    }
    if (selected('initialize-user', section.initialUser !== undefined)) {
      if (!section.initialUser)
        throw new Error('quay-init.initialUser is not configured (needed by --initialize-user)');
      // /api/v1/user/initialize takes no auth (quay-api.md §2).
      const anonymous = open(null);
      const token = await initializeFirstUser(section.initialUser, section.tokenOutput, {
        quay: anonymous,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
        setSecretResult: context.setSecretResult,
        registerSecret: (value) => context.redactor.add(value),
      });
      if (token !== undefined && !instance.token) api = open(token);
    }
    if (selected('super-users', section.superUsers.length > 0))
      notYet(context, `super-users/${section.superUsers.join(',')}`);

    const orgSteps: { name: string; state: 'present' | 'absent' }[] = [];
    if (selected('admin-org', section.adminOrganization !== undefined) && section.adminOrganization) {
      orgSteps.push({ name: section.adminOrganization, state: 'present' });
    }
    if (selected('organizations', section.organizations.length > 0)) orgSteps.push(...section.organizations);
    const ownershipUsers = section.takeOwnership?.users ?? [];
    const wantsOwnership = selected(
      'take-ownership',
      ownershipUsers.length > 0 || section.takeOwnership?.allSuperUsers === true,
    );

    if ((orgSteps.length > 0 || wantsOwnership) && api === undefined) {
      if (context.dryRun) {
        for (const org of orgSteps)
          context.report.add({
            ref: `org/${org.name}`,
            action: 'planned',
            detail: `would make ${org.state} with the new user's token`,
          });
        return;
      }
      throw new Error(
        `quay.${section.instance}.token is needed for organizations and ownership (or initialise the first user in the same run)`,
      );
    }
    if (orgSteps.length > 0 && api) {
      await ensureOrganizations(orgSteps, {
        quay: api,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
      });
    }
    if (wantsOwnership && api) {
      if (section.takeOwnership?.allSuperUsers) notYet(context, 'ownership/all-super-users');
      await takeOwnership(ownershipUsers, {
        quay: api,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
      });
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Steps that edit the config-bundle Secret need the cluster layer, which arrives with apply-ordered. */
function notYet(context: QuayInitContext, ref: string): void {
  const error = 'not implemented in this version: editing the config-bundle Secret needs the cluster layer';
  context.report.add({ ref, action: 'failed', error });
  context.log.error(`${ref}: ${error}`);
}
