import * as z from 'zod';
import { Organization } from '../models.js';
import { orgPath, type QuayTransport } from './transport.js';

const enc = encodeURIComponent;

/** Quay's org-wide team roles (api/team.py TeamDescription). */
export const TEAM_ROLES = ['member', 'creator', 'admin'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export interface TeamView {
  name: string;
  description: string;
  role: TeamRole;
}

const TeamAnswer = z.looseObject({ name: z.string(), role: z.string() });

/** A member, or a pending invitation (invite_view of api/team.py: `invited: true`, an email-only one has no name). */
export interface TeamMember {
  name: string;
  invited: boolean;
}

const MemberList = z.looseObject({
  members: z.array(
    z.looseObject({
      name: z.string().optional(),
      email: z.string().optional(),
      invited: z.boolean().optional(),
    }),
  ),
});

/** An organization's teams: listed from the organization view, made with one PUT (create or update). */
export class TeamsApi {
  readonly #t: QuayTransport;

  constructor(transport: QuayTransport) {
    this.#t = transport;
  }

  /**
   * Every team with its role and description (`teams` of api/organization.py org_view, which an org admin
   * sees in full), or undefined when the organization does not exist.
   */
  async list(organization: string): Promise<Map<string, TeamView> | undefined> {
    const org = await this.#t.getOrUndefined(orgPath(organization), Organization, (e) => e.status === 404);
    if (!org) return undefined;
    const teams = new Map<string, TeamView>();
    for (const [name, team] of Object.entries(org.teams ?? {})) {
      teams.set(name, {
        name,
        description: team.description ?? '',
        role: (team.role ?? 'member') as TeamRole,
      });
    }
    return teams;
  }

  /** Creates the team, or sets its role and description (api/team.py OrganizationTeam.put). */
  async put(
    organization: string,
    team: string,
    settings: { role: TeamRole; description: string },
  ): Promise<void> {
    TeamAnswer.parse(
      await this.#t.send({
        method: 'PUT',
        path: `${orgPath(organization)}/team/${enc(team)}`,
        json: settings,
        idempotent: true,
      }),
    );
  }

  /** Members and pending invitations (`includePending=true`, which Quay honours for org admins only). */
  async members(organization: string, team: string): Promise<TeamMember[]> {
    const body = await this.#t.get(`${orgPath(organization)}/team/${enc(team)}/members`, MemberList, {
      includePending: true,
    });
    return body.members.flatMap((m) => (m.name ? [{ name: m.name, invited: m.invited === true }] : []));
  }

  async delete(organization: string, team: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `${orgPath(organization)}/team/${enc(team)}` });
  }
}
