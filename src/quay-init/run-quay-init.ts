import { recordItemFailure } from '../ci/item-failure.js';
import type { Logger } from '../ci/logger.js';
import type { Report } from '../ci/report.js';
import { lazyCluster } from '../cluster/lazy-cluster.js';
import { ensureSecret } from '../cluster/secrets.js';
import type { QuayInitConfig } from '../config/sections/quay-init.js';
import type { ClusterConfig, QuayInstanceConfig } from '../config/sections/shared.js';
import type { QuayClient } from '../quay/client.js';
import { quayClientFor } from '../quay/from-config.js';
import type { Redactor } from '../secrets/redactor.js';
import { ensureConfigBundle, ensureSuperUsers, liveSuperUsers } from './config-bundle.js';
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
  env: NodeJS.ProcessEnv;
  dryRun: boolean;
  setSecretResult: (name: string, value: string) => void;
}

/**
 * Runs the selected steps (every configured one when `only` is empty). A token created by the first-user
 * step serves the later steps of the same run when the instance has none configured (the original sent
 * `Bearer None` there, its defect 35). The cluster CLI is started only for steps that need it.
 */
export async function runQuayInit(
  section: QuayInitConfig,
  instance: QuayInstanceConfig,
  clusterConfig: ClusterConfig,
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
  const cluster = lazyCluster(clusterConfig, context);
  const cli = cluster.get;
  const namespace = (): string => {
    if (!section.namespace) throw new Error('quay-init.namespace is needed for the config-bundle Secret');
    return section.namespace;
  };
  const bundleDeps = async () => ({
    cli: await cli(),
    report: context.report,
    log: context.log,
    dryRun: context.dryRun,
  });

  try {
    let api = instance.token ? open() : undefined;

    if (selected('config-bundle', section.configBundle !== undefined)) {
      try {
        if (section.configBundle?.ldapBootstrap) {
          throw new Error(
            'configBundle.ldapBootstrap is not implemented in this version; initialise with database auth, then switch to LDAP',
          );
        }
        await ensureConfigBundle(section, namespace(), await bundleDeps());
      } catch (error) {
        recordItemFailure(context, `config-bundle/${section.configBundle?.secretName ?? '?'}`, error);
      }
    }

    if (selected('initialize-user', section.initialUser !== undefined)) {
      if (!section.initialUser)
        throw new Error('quay-init.initialUser is not configured (needed by --initialize-user)');
      // /api/v1/user/initialize takes no auth (quay-api.md §2).
      const token = await initializeFirstUser(section.initialUser, section.tokenOutput, {
        quay: open(null),
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
        setSecretResult: context.setSecretResult,
        registerSecret: (value) => context.redactor.add(value),
      });
      const secret = section.tokenOutput?.secret;
      if (token !== undefined && secret) {
        const ref = `secret/${secret.namespace}/${secret.name}`;
        try {
          const outcome = await ensureSecret(
            await cli(),
            { name: secret.name, namespace: secret.namespace, data: { [secret.key]: token } },
            { dryRun: false },
          );
          context.report.add({ ref, action: outcome, detail: 'initial user token' });
          context.log.info(`${ref}: ${outcome}`);
        } catch (error) {
          recordItemFailure(context, ref, error);
        }
      }
      if (token !== undefined && !instance.token) api = open(token);
    }

    if (selected('super-users', section.superUsers.length > 0)) {
      try {
        await ensureSuperUsers(section, namespace(), await bundleDeps());
      } catch (error) {
        recordItemFailure(context, `super-users/${section.superUsers.join(',')}`, error);
      }
    }

    const orgSteps: { name: string; state: 'present' | 'absent' }[] = [];
    if (selected('admin-org', section.adminOrganization !== undefined) && section.adminOrganization) {
      orgSteps.push({ name: section.adminOrganization, state: 'present' });
    }
    if (selected('organizations', section.organizations.length > 0)) orgSteps.push(...section.organizations);
    const allSuperUsers = section.takeOwnership?.allSuperUsers === true;
    const ownershipUsers = [...(section.takeOwnership?.users ?? [])];
    const wantsOwnership = selected('take-ownership', ownershipUsers.length > 0 || allSuperUsers);

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
      if (allSuperUsers) {
        for (const user of await liveSuperUsers(section, namespace(), await cli())) {
          if (!ownershipUsers.includes(user)) ownershipUsers.push(user);
        }
      }
      await takeOwnership(ownershipUsers, {
        quay: api,
        report: context.report,
        log: context.log,
        dryRun: context.dryRun,
      });
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await cluster.close();
  }
}
