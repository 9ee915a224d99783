import { declaredItemPath, type OrganizationSpec } from '../config/sections/quay-config.js';
import type { TeamMember, TeamView } from '../quay/api/teams.js';
import type { QuayClient } from '../quay/client.js';
import type { ObjectPlan, Step } from './object-plan.js';

type TeamSpec = OrganizationSpec['teams'][number];

/**
 * A declared team against what Quay has: created or deleted, its role and description set, members added
 * (a user outside the organization may only be invited: Quay then reports `invited` and the user joins on
 * accepting) and, with an exclusive member list, the undeclared ones (and their invitations) removed.
 */
export async function planTeam(
  quay: QuayClient,
  organization: string,
  spec: TeamSpec,
  current: TeamView | undefined,
  keyPath: string,
): Promise<ObjectPlan> {
  const ref = `${organization}/team/${spec.name}`;
  const steps: Step[] = [];
  if (spec.state === 'absent') {
    if (current)
      steps.push({
        says: 'delete the team',
        keyPath: `${keyPath}.state`,
        apply: () => quay.teams.delete(organization, spec.name),
      });
    return { ref, keyPath, kind: 'delete', steps };
  }
  const settings = { role: spec.role, description: spec.description };
  if (!current) {
    steps.push({
      says: `create (role ${spec.role})`,
      keyPath,
      apply: () => quay.teams.put(organization, spec.name, settings),
      needed: true,
    });
  } else {
    const changes: string[] = [];
    if (current.role !== spec.role) changes.push(`role ${current.role} → ${spec.role}`);
    if (current.description !== spec.description) changes.push('description');
    if (changes.length > 0)
      steps.push({
        says: changes.join(', '),
        keyPath,
        apply: () => quay.teams.put(organization, spec.name, settings),
      });
  }

  const members: TeamMember[] = current ? await quay.teams.members(organization, spec.name) : [];
  const present = new Set(members.map((m) => m.name));
  spec.members.items.forEach((member, index) => {
    if (present.has(member)) return;
    const step: Step = {
      says: `+ ${member}`,
      keyPath: declaredItemPath(`${keyPath}.members`, spec.members, index),
      apply: async () => {
        const { invited } = await quay.addTeamMember(organization, spec.name, member);
        // Quay invites a user outside the organization (FEATURE_MAILING + FEATURE_REQUIRE_TEAM_INVITE).
        if (invited) step.says = `+ ${member} (invited: joins on accepting Quay's e-mail)`;
      },
    };
    steps.push(step);
  });
  if (spec.members.exclusive) {
    const declared = new Set(spec.members.items);
    for (const member of members) {
      if (declared.has(member.name)) continue;
      steps.push({
        says: member.invited ? `− ${member.name} (invitation)` : `− ${member.name}`,
        keyPath: `${keyPath}.members.exclusive`,
        apply: () => quay.removeTeamMember(organization, spec.name, member.name),
      });
    }
  }
  return { ref, keyPath, kind: current ? 'change' : 'create', steps };
}
