import type * as z from 'zod';
import {
  bearerAuth,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  HttpError,
} from '../http/index.js';
import type { Redactor } from '../secrets/redactor.js';
import { NotificationsApi } from './api/notifications.js';
import { PrototypesApi } from './api/prototypes.js';
import { QuotaApi } from './api/quota.js';
import { RepositorySettingsApi } from './api/repository-settings.js';
import { TeamsApi } from './api/teams.js';
import { QuayTransport, repoPath } from './api/transport.js';
import { asQuayError, QuayApiError } from './errors.js';
import {
  CurrentUser,
  InitializedUser,
  Organization,
  ProxyCacheConfig,
  RepositoryList,
  RepositoryPermission,
  type RepositoryRole,
  type RepositorySummary,
  Robot,
  RobotList,
  RobotPermissions,
  SuperuserOrganizations,
  type Tag,
  TagPage,
  TeamMembers,
} from './models.js';

export interface QuayClientOptions {
  url: string;
  /** OAuth bearer token; without one only anonymous calls (and user initialisation) work. */
  token?: string;
  redactor: Redactor;
  caBundlePath?: string;
  insecureSkipTlsVerify?: boolean;
  logger?: HttpClientOptions['logger'];
  /** Passed to the HTTP layer (tests inject sleep/random; callers may tune retries and timeouts). */
  http?: Partial<
    Pick<HttpClientOptions, 'retry' | 'timeouts' | 'sleep' | 'random' | 'maxConnectionsPerOrigin'>
  >;
}

/** Who owns a robot: an organization, or the token's own user (a "personal" robot). */
export type RobotOwner = { organization: string } | { user: string };
export type { RepositoryRole } from './models.js';

export interface ProxyCacheSettings {
  upstreamRegistry: string;
  expirationSeconds: number;
  insecure: boolean;
  username?: string;
  password?: string;
}

const enc = encodeURIComponent;

/**
 * Red Hat Quay's `/api/v1` as quay-tasks uses it: exact paths (trailing slashes matter, quay-api.md §0),
 * Quay's status codes, every list followed through its pagination. Errors are QuayApiError.
 */
export class QuayClient {
  readonly url: string;
  readonly #http: HttpClient;
  readonly #t: QuayTransport;
  readonly teams: TeamsApi;
  readonly prototypes: PrototypesApi;
  readonly repositories: RepositorySettingsApi;
  readonly notifications: NotificationsApi;
  readonly quota: QuotaApi;

  constructor(options: QuayClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#http = createHttpClient({
      baseUrl: this.url,
      auth: options.token ? bearerAuth(options.token, { redactor: options.redactor }) : undefined,
      redactor: options.redactor,
      caBundlePath: options.caBundlePath,
      insecureSkipTlsVerify: options.insecureSkipTlsVerify,
      logger: options.logger,
      ...options.http,
    });
    this.#t = new QuayTransport(this.#http);
    this.teams = new TeamsApi(this.#t);
    this.prototypes = new PrototypesApi(this.#t);
    this.repositories = new RepositorySettingsApi(this.#t);
    this.notifications = new NotificationsApi(this.#t);
    this.quota = new QuotaApi(this.#t);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  // --- users (§2, §3) -------------------------------------------------------------------------------

  /**
   * Creates the first user (quay-api.md §2). No auth is sent: the endpoint is on the web blueprint.
   * The returned access token expires after 9000 s (2.5 h).
   */
  async initializeUser(user: {
    username: string;
    password: string;
    email: string;
  }): Promise<InitializedUser> {
    try {
      const body = await this.#http.json({
        method: 'POST',
        path: '/api/v1/user/initialize',
        json: { ...user, access_token: true },
        auth: null,
        // Not idempotent: a retry after the user was created would fail with "non-empty database".
        idempotent: false,
      });
      return InitializedUser.parse(body);
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        throw new QuayApiError(
          error,
          'user initialisation is not enabled: set FEATURE_USER_INITIALIZE: true (and database authentication) in the Quay config bundle',
        );
      }
      if (error instanceof HttpError && error.serverMessage?.includes('non-empty database')) {
        throw new QuayApiError(
          error,
          'Quay already has users (or organizations); initialisation works only on an empty Quay',
        );
      }
      throw asQuayError(error);
    }
  }

  currentUser(): Promise<CurrentUser> {
    return this.#t.get('/api/v1/user/', CurrentUser);
  }

  // --- organizations (§4) ---------------------------------------------------------------------------

  getOrganization(name: string): Promise<Organization | undefined> {
    return this.#t.getOrUndefined(`/api/v1/organization/${enc(name)}`, Organization, (e) => e.status === 404);
  }

  async createOrganization(name: string, email?: string): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: '/api/v1/organization/',
      json: email ? { name, email } : { name },
    });
  }

  async deleteOrganization(name: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `/api/v1/organization/${enc(name)}` });
  }

  /** Every organization (superuser only), 100 a page through `next_page` (§4.5). */
  async listAllOrganizations(): Promise<string[]> {
    const names: string[] = [];
    let nextPage: string | undefined;
    do {
      const page = await this.#t.get('/api/v1/superuser/organizations/', SuperuserOrganizations, {
        limit: 100,
        next_page: nextPage,
      });
      names.push(...page.organizations.map((o) => o.name));
      nextPage = page.next_page;
    } while (nextPage);
    return names;
  }

  // --- robots (§5) ----------------------------------------------------------------------------------

  async listRobots(owner: RobotOwner): Promise<z.infer<typeof RobotList>['robots']> {
    const list = await this.#t.get(robotsBase(owner), RobotList, { permissions: true, token: false });
    return list.robots;
  }

  /** A missing robot is a 400 "Could not find robot…" in Quay, not a 404 (§5.6). */
  getRobot(owner: RobotOwner, shortName: string): Promise<Robot | undefined> {
    return this.#t.getOrUndefined(`${robotsBase(owner)}/${enc(shortName)}`, Robot, isMissingRobot);
  }

  /** Robot create is not idempotent: an existing robot is a 400 (§5.6). */
  async createRobot(owner: RobotOwner, shortName: string, description: string): Promise<Robot> {
    const body = await this.#t.send({
      method: 'PUT',
      path: `${robotsBase(owner)}/${enc(shortName)}`,
      json: { description },
    });
    return Robot.parse(body);
  }

  async deleteRobot(owner: RobotOwner, shortName: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `${robotsBase(owner)}/${enc(shortName)}` });
  }

  async robotPermissions(owner: RobotOwner, shortName: string): Promise<Map<string, RepositoryRole>> {
    const body = await this.#t.get(`${robotsBase(owner)}/${enc(shortName)}/permissions`, RobotPermissions);
    return new Map(body.permissions.map((p) => [p.repository.name, p.role as RepositoryRole]));
  }

  // --- repository permissions (§6.1) ------------------------------------------------------------------

  async setRepositoryPermission(
    namespace: string,
    repository: string,
    username: string,
    role: RepositoryRole,
  ): Promise<void> {
    const body = await this.#t.send({
      method: 'PUT',
      path: `${repoPath(namespace, repository)}/permissions/user/${enc(username)}`,
      json: { role },
      idempotent: true,
    });
    RepositoryPermission.parse(body);
  }

  async deleteRepositoryPermission(namespace: string, repository: string, username: string): Promise<void> {
    await this.#t.send({
      method: 'DELETE',
      path: `${repoPath(namespace, repository)}/permissions/user/${enc(username)}`,
    });
  }

  // --- teams (§6.2) ---------------------------------------------------------------------------------

  async teamMembers(organization: string, team: string): Promise<string[]> {
    const body = await this.#t.get(
      `/api/v1/organization/${enc(organization)}/team/${enc(team)}/members`,
      TeamMembers,
      {
        includePending: false,
      },
    );
    return body.members.filter((m) => !m.invited).map((m) => m.name);
  }

  /**
   * Adds a user or robot to a team. A user outside the organization is only *invited* while
   * FEATURE_MAILING and FEATURE_REQUIRE_TEAM_INVITE are on (Quay's defaults, quay-api.md §6.2).
   */
  async addTeamMember(organization: string, team: string, member: string): Promise<{ invited: boolean }> {
    const body = await this.#t.send({
      method: 'PUT',
      path: `/api/v1/organization/${enc(organization)}/team/${enc(team)}/members/${enc(member)}`,
      idempotent: true,
    });
    return {
      invited: typeof body === 'object' && body !== null && (body as { invited?: unknown }).invited === true,
    };
  }

  async removeTeamMember(organization: string, team: string, member: string): Promise<void> {
    await this.#t.send({
      method: 'DELETE',
      path: `/api/v1/organization/${enc(organization)}/team/${enc(team)}/members/${enc(member)}`,
    });
  }

  // --- proxy cache (§8) -----------------------------------------------------------------------------

  /** The organization's proxy-cache configuration, or undefined when it has none (Quay answers empty strings). */
  async getProxyCache(
    organization: string,
  ): Promise<Omit<ProxyCacheSettings, 'username' | 'password'> | undefined> {
    const body = await this.#t.get(`/api/v1/organization/${enc(organization)}/proxycache`, ProxyCacheConfig);
    if (body.upstream_registry === '') return undefined;
    return {
      upstreamRegistry: body.upstream_registry,
      expirationSeconds: typeof body.expiration_s === 'number' ? body.expiration_s : 86400,
      insecure: body.insecure === true,
    };
  }

  /** Asks Quay to log in to the upstream with these settings (§8): "Valid" or "Anonymous" on success. */
  async validateProxyCache(organization: string, settings: ProxyCacheSettings): Promise<string> {
    const body = await this.#t.send({
      method: 'POST',
      path: `/api/v1/organization/${enc(organization)}/validateproxycache`,
      json: proxyCacheBody(settings),
      idempotent: true,
    });
    return typeof body === 'string' ? body : 'Valid';
  }

  async createProxyCache(organization: string, settings: ProxyCacheSettings): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: `/api/v1/organization/${enc(organization)}/proxycache`,
      json: proxyCacheBody(settings),
    });
  }

  async deleteProxyCache(organization: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `/api/v1/organization/${enc(organization)}/proxycache` });
  }

  // --- repositories and tags (§7) -------------------------------------------------------------------

  /** Every repository of a namespace, 100 a page through `next_page` (§7.2). */
  async listRepositories(namespace: string): Promise<RepositorySummary[]> {
    const out: RepositorySummary[] = [];
    let nextPage: string | undefined;
    do {
      const page = await this.#t.get('/api/v1/repository', RepositoryList, {
        namespace,
        next_page: nextPage,
      });
      out.push(...page.repositories);
      nextPage = page.next_page;
    } while (nextPage);
    return out;
  }

  async createRepository(
    namespace: string,
    repository: string,
    visibility: 'private' | 'public' = 'private',
  ): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: '/api/v1/repository',
      json: { namespace, repository, visibility, description: '', repo_kind: 'image' },
    });
  }

  /**
   * The current tags of a repository: `onlyActiveTags=true` (the default lists history too), 100 a page (§7.5).
   * Quay pages by OFFSET over the newest start first (`data/model/oci/tag.py:list_repository_tag_history`), so
   * a push while the pages are read shifts rows down: the row at a page edge comes twice, and a tag re-pushed
   * from a page not yet read moves above the pages already read and is missed. A name seen twice therefore
   * means the list changed under the reader, and it is read again (up to `LISTING_ATTEMPTS` times; then the
   * newest row of each name is kept). A tag deleted meanwhile shifts rows up and can hide one that stays:
   * nothing in the pages shows it, so prune asks for each tag it would delete (`findActiveTag`).
   */
  async listActiveTags(namespace: string, repository: string): Promise<Tag[]> {
    let rows: Tag[] = [];
    for (let attempt = 1; attempt <= LISTING_ATTEMPTS; attempt++) {
      rows = await this.#readTagPages(namespace, repository);
      if (new Set(rows.map((tag) => tag.name)).size === rows.length) return rows;
    }
    const newest = new Map<string, Tag>();
    for (const tag of rows) {
      const seen = newest.get(tag.name);
      if (!seen || (tag.start_ts ?? 0) > (seen.start_ts ?? 0)) newest.set(tag.name, tag);
    }
    return [...newest.values()];
  }

  async #readTagPages(namespace: string, repository: string): Promise<Tag[]> {
    const out: Tag[] = [];
    for (let page = 1; ; page++) {
      const body = await this.#t.get(`${repoPath(namespace, repository)}/tag/`, TagPage, {
        onlyActiveTags: true,
        limit: 100,
        page,
      });
      out.push(...body.tags);
      if (!body.has_additional) return out;
    }
  }

  /** The alive tag of this name, if any (`specificTag`, one call; §7.5). */
  async findActiveTag(namespace: string, repository: string, tag: string): Promise<Tag | undefined> {
    const body = await this.#t.get(`${repoPath(namespace, repository)}/tag/`, TagPage, {
      onlyActiveTags: true,
      specificTag: tag,
      limit: 1,
      page: 1,
    });
    return body.tags.find((found) => found.name === tag);
  }

  /** Ends a tag (`DELETE …/tag/{tag}`, §7.5): the manifest stays while other tags point at it. */
  async deleteTag(namespace: string, repository: string, tag: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `${repoPath(namespace, repository)}/tag/${enc(tag)}` });
  }
}

/** Reads of a tag list that changed while it was paged (see `listActiveTags`) before the newest rows are kept. */
const LISTING_ATTEMPTS = 3;

function robotsBase(owner: RobotOwner): string {
  return 'organization' in owner
    ? `/api/v1/organization/${enc(owner.organization)}/robots`
    : '/api/v1/user/robots';
}

function isMissingRobot(error: HttpError): boolean {
  return error.status === 400 && (error.serverMessage ?? '').includes('Could not find robot');
}

function proxyCacheBody(settings: ProxyCacheSettings): Record<string, unknown> {
  const body: Record<string, unknown> = {
    upstream_registry: settings.upstreamRegistry,
    expiration_s: settings.expirationSeconds,
    insecure: settings.insecure,
  };
  if (settings.username !== undefined) body.upstream_registry_username = settings.username;
  if (settings.password !== undefined) body.upstream_registry_password = settings.password;
  return body;
}
