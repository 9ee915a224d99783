import { existsSync } from 'node:fs';
import type { ClusterCli } from '../cluster/cluster-cli.js';
import { ClusterObjects } from '../cluster/cluster-objects.js';
import { lazyCluster } from '../cluster/lazy-cluster.js';
import { ensureSecret } from '../cluster/secrets.js';
import { waitUntilReady } from '../cluster/wait-ready.js';
import type { QuayInitConfig } from '../config/sections/quay-init.js';
import type { ClusterConfig, QuayInstanceConfig } from '../config/sections/shared.js';
import type { QuayClient } from '../quay/client.js';
import { quayClientFor } from '../quay/from-config.js';
import { recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';
import type { Redactor } from '../secrets/redactor.js';
import { ensureConfigBundle, ensureSuperUsers, liveSuperUsers, readBundleConfig } from './config-bundle.js';
import { initializeFirstUser } from './initialize-user.js';
import { usesLdap, withoutLdap } from './ldap-bootstrap.js';
import { ensureOrganizations, type OrganizationSpec } from './organizations.js';
import { takeOwnership } from './take-ownership.js';

/** How long Quay may take to come back with database authentication (or LDAP again) after a bundle change. */
const LDAP_SWITCH_TIMEOUT_MS = 15 * 60_000;

/**
 * Whether the first user was created already: the configured token works, or a previous run's token
 * Secret or file is there. Then the LDAP bootstrap is not needed (and is not repeated).
 */
async function firstUserExists(
  section: QuayInitConfig,
  api: QuayClient | undefined,
  cli: () => Promise<ClusterCli>,
): Promise<boolean> {
  if (api) {
    try {
      await api.currentUser();
      return true;
    } catch {
      // an invalid or expired token: look for the other marks
    }
  }
  const output = section.tokenOutput;
  if (output?.file && existsSync(output.file)) return true;
  if (output?.secret)
    return (await (await cli()).get('secret', output.secret.name, output.secret.namespace)) !== undefined;
  return false;
}

/**
 * Restarts the Quay pods so they load the restored config (as the original did), then waits until the
 * QuayRegistry is available again.
 */
async function restartQuay(
  section: QuayInitConfig,
  namespace: string,
  cli: ClusterCli,
  context: QuayInitContext,
): Promise<void> {
  await cli.runOrThrow([
    'delete',
    'pod',
    '-n',
    namespace,
    '-l',
    'quay-component=quay-app',
    '--ignore-not-found',
    '--wait=false',
  ]);
  context.log.info(`quay-init: Quay pods in ${namespace} restarted to load the restored config`);
  if (!section.registry) return;
  const ref = { apiVersion: 'quay.redhat.com/v1', kind: 'QuayRegistry', namespace, name: section.registry };
  const outcome = await waitUntilReady(ref, {
    objects: new ClusterObjects(cli),
    approveInstallPlans: false,
    customRules: [],
    deadline: Date.now() + LDAP_SWITCH_TIMEOUT_MS,
    graceMs: 120_000,
    onProgress: () => undefined,
  });
  if (outcome.state !== 'ready')
    throw new Error(`QuayRegistry ${namespace}/${section.registry} did not come back: ${outcome.reason}`);
  context.report.add({
    ref: `QuayRegistry/${namespace}/${section.registry}`,
    action: 'updated',
    detail: `restarted with the restored config; ${outcome.reason}`,
  });
}

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
  setResult: (name: string, value: string) => void;
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

    let restoreLdap = false;
    if (selected('config-bundle', section.configBundle !== undefined)) {
      try {
        const initialising =
          selected('initialize-user', section.initialUser !== undefined) && section.initialUser !== undefined;
        if (
          section.configBundle?.ldapBootstrap &&
          initialising &&
          usesLdap(readBundleConfig(section)) &&
          !(await firstUserExists(section, api, cli))
        ) {
          await ensureConfigBundle(section, namespace(), await bundleDeps(), {
            transform: withoutLdap,
            detail: 'LDAP settings taken out for the first-user bootstrap (restored after it)',
          });
          restoreLdap = !context.dryRun;
        } else {
          await ensureConfigBundle(section, namespace(), await bundleDeps());
        }
      } catch (error) {
        recordItemFailure(context, `config-bundle/${section.configBundle?.secretName ?? '?'}`, error);
      }
    }

    // The declared result exists on every run (empty when no user was created now), so a Pipeline that
    // reads it does not fail on a re-run.
    if (selected('initialize-user', section.initialUser !== undefined))
      context.setResult('initial-user-token', '');
    const ldapInstall = section.configBundle?.ldapBootstrap === true && usesLdap(readBundleConfig(section));
    if (
      selected('initialize-user', section.initialUser !== undefined) &&
      ldapInstall &&
      !restoreLdap &&
      (await firstUserExists(section, api, cli))
    ) {
      // Quay runs with LDAP and answers every initialisation with "non-database auth system": nothing to do.
      context.report.add({
        ref: `user/${section.initialUser?.username ?? '?'}`,
        action: 'unchanged',
        detail: 'the first user exists (Quay runs with LDAP)',
      });
    } else if (selected('initialize-user', section.initialUser !== undefined)) {
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
        ...(restoreLdap ? { awaitDatabaseAuthUntil: Date.now() + LDAP_SWITCH_TIMEOUT_MS } : {}),
      }).finally(async () => {
        if (!restoreLdap) return;
        try {
          await ensureConfigBundle(section, namespace(), await bundleDeps(), {
            detail: 'LDAP settings restored',
          });
          await restartQuay(section, namespace(), await cli(), context);
        } catch (error) {
          recordItemFailure(
            context,
            `config-bundle/${section.configBundle?.secretName ?? '?'}#restore`,
            error,
          );
        }
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

    const orgSteps: OrganizationSpec[] = [];
    const listed = new Set(section.organizations.map((org) => org.name));
    if (selected('admin-org', section.adminOrganization !== undefined) && section.adminOrganization) {
      const name = section.adminOrganization;
      // Listed under organizations too (with its email, where Quay needs one): made there.
      if (!listed.has(name) || !selected('organizations', true))
        orgSteps.push({
          name,
          state: 'present',
          emailKey: `quay-init.organizations (an entry {name: ${name}, email: …})`,
        });
    }
    if (selected('organizations', section.organizations.length > 0))
      orgSteps.push(
        ...section.organizations.map((org, i) => ({
          ...org,
          emailKey: `quay-init.organizations[${i}].email`,
        })),
      );
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
