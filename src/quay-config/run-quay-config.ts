import type { OrganizationSpec, QuayConfigSection } from '../config/sections/quay-config.js';
import type { QuayClient } from '../quay/client.js';
import { planDefaultPermissions } from './default-permissions.js';
import { type ApplyDeps, applyObjectPlan, type ObjectPlan, reportUnplannable } from './object-plan.js';
import { planQuota } from './quota.js';
import { planRepository } from './repositories.js';
import { planTeam } from './teams.js';

export interface QuayConfigDeps extends ApplyDeps {
  quay: QuayClient;
  /** Key path of the section as the user wrote it (`quay-config`). */
  section: string;
}

/**
 * Makes each declared organization hold what the config says, kind by kind in the order their references
 * need: teams (permissions may name them), default permissions, repositories with their permissions and
 * notifications, the quota. Each object is planned from what Quay has right before it is applied, so a
 * dry run prints exactly the writes a real run would make; one object's failure leaves the others going.
 */
export async function runQuayConfig(section: QuayConfigSection, deps: QuayConfigDeps): Promise<void> {
  let me: Promise<string> | undefined;
  const creator = () => {
    me ??= deps.quay.currentUser().then((u) => u.username);
    return me;
  };
  for (const [index, org] of section.organizations.entries()) {
    const keyPath = `${deps.section}.organizations[${index}]`;
    await deps.log.group(`organization ${org.name}`, () =>
      configureOrganization(org, keyPath, deps, creator),
    );
  }
}

async function configureOrganization(
  org: OrganizationSpec,
  keyPath: string,
  deps: QuayConfigDeps,
  creator: () => Promise<string>,
): Promise<void> {
  const { quay } = deps;
  let teams: Awaited<ReturnType<QuayClient['teams']['list']>>;
  try {
    teams = await quay.teams.list(org.name);
  } catch (error) {
    reportUnplannable(`org/${org.name}`, `${keyPath}.name`, error, deps);
    return;
  }
  if (!teams) {
    reportUnplannable(
      `org/${org.name}`,
      `${keyPath}.name`,
      new Error(
        `organization ${org.name} does not exist (quay-init creates organizations): nothing was changed in it`,
      ),
      deps,
    );
    return;
  }
  const known = teams;

  for (const [i, team] of org.teams.entries()) {
    const path = `${keyPath}.teams[${i}]`;
    await planAndApply(`${org.name}/team/${team.name}`, path, deps, () =>
      planTeam(quay, org.name, team, known.get(team.name), path),
    );
  }

  const prototypesPath = `${keyPath}.defaultPermissions`;
  if (org.defaultPermissions.items.length > 0 || org.defaultPermissions.exclusive) {
    let plans: ObjectPlan[];
    try {
      plans = planDefaultPermissions(
        quay,
        org.name,
        org.defaultPermissions,
        await quay.prototypes.list(org.name),
        prototypesPath,
      );
    } catch (error) {
      reportUnplannable(`${org.name}/default-permissions`, prototypesPath, error, deps);
      plans = [];
    }
    for (const plan of plans) await applyObjectPlan(plan, deps);
  }

  for (const [i, repository] of org.repositories.entries()) {
    const path = `${keyPath}.repositories[${i}]`;
    await planAndApply(`${org.name}/${repository.name}`, path, deps, () =>
      planRepository(quay, org.name, repository, path, creator),
    );
  }

  if (org.quota) {
    const quota = org.quota;
    const path = `${keyPath}.quota`;
    await planAndApply(`${org.name}/quota`, path, deps, () => planQuota(quay, org.name, quota, path));
  }
}

async function planAndApply(
  ref: string,
  keyPath: string,
  deps: QuayConfigDeps,
  plan: () => Promise<ObjectPlan>,
): Promise<void> {
  let made: ObjectPlan;
  try {
    made = await plan();
  } catch (error) {
    reportUnplannable(ref, keyPath, error, deps);
    return;
  }
  await applyObjectPlan(made, deps);
}
