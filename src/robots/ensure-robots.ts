import type { CreateRobotsConfig } from '../config/sections/create-robots.js';
import { type RegistryCredential, writeAuthFile } from '../credentials/index.js';
import type { QuayClient, RepositoryRole, RobotOwner } from '../quay/client.js';
import type { Robot } from '../quay/models.js';
import { recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

export type RobotSpec = CreateRobotsConfig['robots'][number];

export interface EnsureRobotsDeps {
  quay: QuayClient;
  /** host[:port] robots log in to, for auth.json and pull secrets. */
  registryHost: string;
  report: Report;
  log: Logger;
  dryRun: boolean;
  /** Hands a robot's credentials on as a dockerconfigjson Secret; absent when no cluster is configured. */
  writePullSecret?: (
    secret: { name: string; namespace: string },
    registry: string,
    credential: RegistryCredential,
  ) => Promise<'created' | 'updated' | 'unchanged' | 'planned'>;
}

/**
 * Makes each configured robot as declared: present with its repository permissions and teams (the
 * declared ones are the whole truth: others are removed), or absent. One robot's failure is reported and
 * the others go on.
 */
export async function ensureRobots(robots: readonly RobotSpec[], deps: EnsureRobotsDeps): Promise<void> {
  let tokenUser: Promise<string> | undefined;
  // One robot listing per organization gives every robot's teams (Quay has no per-robot team call).
  const teamsByOrg = new Map<string, Promise<Map<string, string[]>>>();
  // One repository listing per namespace tells which permissions can be granted at all.
  const repositoriesByNamespace = new Map<string, Promise<Set<string>>>();
  const repositoriesOf = (namespace: string): Promise<Set<string>> => {
    let listing = repositoriesByNamespace.get(namespace);
    if (!listing) {
      listing = deps.quay.listRepositories(namespace).then((list) => new Set(list.map((r) => r.name)));
      repositoriesByNamespace.set(namespace, listing);
    }
    return listing;
  };
  const teamsOf = (organization: string, fullName: string): Promise<string[]> => {
    let listing = teamsByOrg.get(organization);
    if (!listing) {
      listing = deps.quay
        .listRobots({ organization })
        .then((list) => new Map(list.map((r) => [r.name, r.teams?.map((t) => t.name) ?? []])));
      teamsByOrg.set(organization, listing);
    }
    return listing.then((byName) => byName.get(fullName) ?? []);
  };
  for (const spec of robots) {
    const namespace = spec.organization ?? spec.user ?? '';
    const fullName = `${namespace}+${spec.name}`;
    const ref = `robot/${fullName}`;
    try {
      if (spec.user !== undefined) {
        // Personal robots live under /api/v1/user/robots: always the token's own user.
        tokenUser ??= deps.quay.currentUser().then((u) => u.username);
        const me = await tokenUser;
        if (me !== spec.user) {
          throw new Error(
            `personal robots of ${spec.user} need a token of ${spec.user}; the token belongs to ${me}`,
          );
        }
      }
      await ensureOne(spec, namespace, fullName, ref, deps, { teamsOf, repositoriesOf });
    } catch (error) {
      recordItemFailure(deps, ref, error);
    }
  }
}

async function ensureOne(
  spec: RobotSpec,
  namespace: string,
  fullName: string,
  ref: string,
  deps: EnsureRobotsDeps,
  lookups: {
    teamsOf: (organization: string, fullName: string) => Promise<string[]>;
    repositoriesOf: (namespace: string) => Promise<Set<string>>;
  },
): Promise<void> {
  const { quay, dryRun, report, log } = deps;
  const { teamsOf } = lookups;
  const owner: RobotOwner =
    spec.organization !== undefined ? { organization: spec.organization } : { user: namespace };
  const existing = await quay.getRobot(owner, spec.name);

  if (spec.state === 'absent') {
    if (!existing) {
      report.add({ ref, action: 'unchanged', detail: 'absent' });
    } else if (dryRun) {
      report.add({ ref, action: 'planned', detail: 'would delete' });
    } else {
      await quay.deleteRobot(owner, spec.name);
      report.add({ ref, action: 'deleted' });
    }
    log.info(`${ref}: ${existing ? (dryRun ? 'would delete' : 'deleted') : 'absent'}`);
    return;
  }

  // Before anything changes: Quay grants permissions only on existing repositories (a PUT on a missing one
  // is a 500, data/model/permission.py __set_entity_repo_permission), so this robot is refused whole.
  const repositories = await lookups.repositoriesOf(namespace);
  const missing = spec.permissions.map((p) => p.repository).filter((name) => !repositories.has(name));
  if (missing.length > 0) {
    throw new Error(
      `permissions on ${missing.map((name) => `${namespace}/${name}`).join(', ')}: no such repository; Quay ` +
        'grants permissions only on existing repositories (create it first, or push to it once); nothing was changed for this robot',
    );
  }

  const changes: string[] = [];
  let robot: Robot | undefined = existing;
  if (!existing) {
    if (!dryRun) robot = await quay.createRobot(owner, spec.name, spec.description);
  } else if ((existing.description ?? '') !== spec.description) {
    // Quay has no call to edit a robot; re-creating would change its token and break every pull secret.
    log.warn(
      `${ref}: description differs ("${existing.description}"); Quay cannot change it in place, left as is`,
    );
  }

  const currentPermissions = existing
    ? await quay.robotPermissions(owner, spec.name)
    : new Map<string, RepositoryRole>();
  const desired = new Map(spec.permissions.map((p) => [p.repository, p.role] as const));
  for (const [repository, role] of desired) {
    const current = currentPermissions.get(repository);
    if (current === role) continue;
    changes.push(`${repository}: ${current ?? 'none'} → ${role}`);
    if (!dryRun) await quay.setRepositoryPermission(namespace, repository, fullName, role);
  }
  for (const [repository, role] of currentPermissions) {
    if (desired.has(repository)) continue;
    changes.push(`${repository}: ${role} → none`);
    if (!dryRun) await quay.deleteRepositoryPermission(namespace, repository, fullName);
  }

  if (spec.organization !== undefined) {
    const currentTeams = existing ? await teamsOf(spec.organization, fullName) : [];
    for (const team of spec.teams.filter((t) => !currentTeams.includes(t))) {
      changes.push(`team ${team}: join`);
      if (!dryRun) await quay.addTeamMember(spec.organization, team, fullName);
    }
    for (const team of currentTeams.filter((t) => !spec.teams.includes(t))) {
      changes.push(`team ${team}: leave`);
      if (!dryRun) await quay.removeTeamMember(spec.organization, team, fullName);
    }
  }

  const detail =
    !existing && dryRun
      ? ['would create', ...changes].join('; ')
      : changes.length > 0
        ? changes.join('; ')
        : undefined;
  const action =
    existing && changes.length === 0 ? 'unchanged' : dryRun ? 'planned' : existing ? 'updated' : 'created';
  report.add(detail ? { ref, action, detail } : { ref, action });
  log.info(`${ref}: ${action}${detail ? ` (${detail})` : ''}`);

  if (spec.authFile === undefined && spec.pullSecret === undefined) return;
  if (dryRun) {
    if (spec.authFile) report.add({ ref: `auth-file/${spec.authFile}#${fullName}`, action: 'planned' });
    if (spec.pullSecret)
      report.add({ ref: `secret/${spec.pullSecret.namespace}/${spec.pullSecret.name}`, action: 'planned' });
    return;
  }
  const token = robot?.token ?? (await quay.getRobot(owner, spec.name))?.token;
  if (token === undefined)
    throw new Error('Quay did not return the robot token (admin rights on the namespace are needed)');
  const credential: RegistryCredential = { username: fullName, password: token };
  if (spec.authFile !== undefined) {
    const outcome = writeAuthFile(spec.authFile, deps.registryHost, credential);
    report.add({ ref: `auth-file/${spec.authFile}#${fullName}`, action: outcome });
    log.info(`auth file ${spec.authFile}: ${outcome}`);
  }
  if (spec.pullSecret !== undefined) {
    const secretRef = `secret/${spec.pullSecret.namespace}/${spec.pullSecret.name}`;
    if (!deps.writePullSecret)
      throw new Error(`${secretRef}: no cluster access configured to write the pull secret`);
    const outcome = await deps.writePullSecret(spec.pullSecret, deps.registryHost, credential);
    report.add({ ref: secretRef, action: outcome });
    log.info(`${secretRef}: ${outcome}`);
  }
}
