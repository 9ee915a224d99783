import * as z from 'zod';
import type { RepositoryRole } from '../models.js';
import { type QuayTransport, repoPath } from './transport.js';

const enc = encodeURIComponent;

export type Visibility = 'public' | 'private';

export interface RepositoryInfo {
  description: string;
  visibility: Visibility;
  /** `NORMAL`, or `READ_ONLY` / `MIRROR` (Quay takes no pushes then: CONTRACT.md row 24). */
  state: string;
}

const RepositoryView = z.looseObject({
  description: z.string().nullable().optional(),
  is_public: z.boolean(),
  state: z.string().nullable().optional(),
});

const PermissionMap = z.looseObject({
  permissions: z.record(z.string(), z.looseObject({ role: z.string() })),
});

/** Who a repository permission is for; robots are users to Quay (`ns+name` under permissions/user/). */
export type PermissionHolder = { kind: 'user'; name: string } | { kind: 'team'; name: string };

/** A repository's own settings and its user and team permissions (api/repository.py, api/permission.py). */
export class RepositorySettingsApi {
  readonly #t: QuayTransport;

  constructor(transport: QuayTransport) {
    this.#t = transport;
  }

  /** Description and visibility, or undefined when there is no such repository (404). */
  async get(namespace: string, repository: string): Promise<RepositoryInfo | undefined> {
    const view = await this.#t.getOrUndefined(
      repoPath(namespace, repository),
      RepositoryView,
      (e) => e.status === 404,
    );
    if (!view) return undefined;
    return {
      description: view.description ?? '',
      visibility: view.is_public ? 'public' : 'private',
      state: view.state ?? 'NORMAL',
    };
  }

  async create(
    namespace: string,
    repository: string,
    settings: { visibility: Visibility; description: string },
  ): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: '/api/v1/repository',
      json: { namespace, repository, ...settings, repo_kind: 'image' },
    });
  }

  async delete(namespace: string, repository: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: repoPath(namespace, repository) });
  }

  async setDescription(namespace: string, repository: string, description: string): Promise<void> {
    await this.#t.send({
      method: 'PUT',
      path: repoPath(namespace, repository),
      json: { description },
      idempotent: true,
    });
  }

  async setVisibility(namespace: string, repository: string, visibility: Visibility): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: `${repoPath(namespace, repository)}/changevisibility`,
      json: { visibility },
      idempotent: true,
    });
  }

  /** Every direct permission: users and robots (kind user) and teams, keyed `user:NAME` / `team:NAME`. */
  async permissions(namespace: string, repository: string): Promise<Map<string, RepositoryRole>> {
    const [users, teams] = await Promise.all([
      this.#t.get(`${repoPath(namespace, repository)}/permissions/user/`, PermissionMap),
      this.#t.get(`${repoPath(namespace, repository)}/permissions/team/`, PermissionMap),
    ]);
    const out = new Map<string, RepositoryRole>();
    for (const [name, p] of Object.entries(users.permissions))
      out.set(`user:${name}`, p.role as RepositoryRole);
    for (const [name, p] of Object.entries(teams.permissions))
      out.set(`team:${name}`, p.role as RepositoryRole);
    return out;
  }

  async setPermission(
    namespace: string,
    repository: string,
    holder: PermissionHolder,
    role: RepositoryRole,
  ): Promise<void> {
    await this.#t.send({
      method: 'PUT',
      path: permissionPath(namespace, repository, holder),
      json: { role },
      idempotent: true,
    });
  }

  async deletePermission(namespace: string, repository: string, holder: PermissionHolder): Promise<void> {
    await this.#t.send({
      method: 'DELETE',
      path: permissionPath(namespace, repository, holder),
    });
  }
}

function permissionPath(namespace: string, repository: string, holder: PermissionHolder): string {
  return holder.kind === 'team'
    ? `${repoPath(namespace, repository)}/permissions/team/${enc(holder.name)}`
    : `${repoPath(namespace, repository)}/permissions/user/${enc(holder.name)}`;
}
