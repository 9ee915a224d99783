/**
 * The emulator's data model: what Quay keeps in its database, reduced to what the API and registry expose.
 * Plain records in maps, so tests can read and change them directly. Mutations that keep several records
 * consistent (org delete, robot delete, repo create) live here; HTTP rules live in the api-* modules.
 */
import type { Clock } from './clock.js';
import { type JsonValue, randomUpperAlnum, uuid } from './formats.js';
import { parseRobotName } from './names.js';

export type RepoRole = 'read' | 'write' | 'admin';
export type TeamRole = 'member' | 'creator' | 'admin';
export const REPO_ROLES: readonly RepoRole[] = ['read', 'write', 'admin'];
export const TEAM_ROLES: readonly TeamRole[] = ['member', 'creator', 'admin'];

export interface UserRecord {
  id: number;
  username: string;
  email: string | null;
  password: string;
  /** Returned by user initialize; accepted as a docker password at `/v2/auth` (§2). */
  encryptedPassword: string;
  createdMs: number;
}

export interface RobotRecord {
  id: number;
  /** Full name `ns+short` (§5.1). */
  name: string;
  namespace: string;
  shortname: string;
  /** 64 characters `[A-Z0-9]` (§5.1). */
  token: string;
  description: string;
  metadata: { [key: string]: JsonValue };
  createdMs: number;
  lastAccessedMs: number | null;
}

export interface TeamInvite {
  code: string;
  username: string;
  inviter: string;
}

export interface TeamRecord {
  name: string;
  description: string;
  role: TeamRole;
  /** Usernames and robot full names. */
  members: Set<string>;
  invites: TeamInvite[];
}

export interface ProxyCacheRecord {
  upstreamRegistry: string;
  username: string | null;
  password: string | null;
  expirationS: number;
  insecure: boolean;
}

export interface OAuthAppRecord {
  clientId: string;
  clientSecret: string;
  /** The org (or, for the `automation` app of §2, the user) that owns it. */
  namespace: string;
  name: string;
  description: string;
  applicationUri: string;
  redirectUri: string;
  avatarEmail: string;
}

export interface OAuthTokenRecord {
  id: number;
  uuid: string;
  name: string;
  /** 40 characters `[A-Z0-9]` (§1.1). Stored in clear: this is the emulated database. */
  token: string;
  username: string;
  /** Raw scope string, space or comma separated (§1.2). */
  scope: string;
  appClientId: string | null;
  createdBy: string;
  createdMs: number;
  expiresAtMs: number | null;
  lastAccessedMs: number | null;
}

/** A default permission (`PermissionPrototype`, §6.3): applied to repositories created later in the org. */
export interface PrototypeRecord {
  id: number;
  /** The `id` of the API view. */
  uuid: string;
  /** A user or robot; null applies to every creator. */
  activatingUser: string | null;
  delegate: { kind: 'user' | 'team'; name: string };
  role: RepoRole;
}

export type QuotaType = 'Warning' | 'Reject';

export interface QuotaLimitRecord {
  id: number;
  type: QuotaType;
  percentOfLimit: number;
}

/** `UserOrganizationQuota` with its `QuotaLimits` (one quota per namespace). */
export interface QuotaRecord {
  id: number;
  limitBytes: number;
  limits: QuotaLimitRecord[];
}

/** `RepositoryNotification`. */
export interface NotificationRecord {
  id: number;
  uuid: string;
  title: string | null;
  event: string;
  method: string;
  config: { [key: string]: JsonValue };
  eventConfig: { [key: string]: JsonValue };
  numberOfFailures: number;
}

export interface OrgRecord {
  id: number;
  name: string;
  /** Raw stored value; a random UUID when none was given (§4.1). */
  email: string;
  createdMs: number;
  tagExpirationS: number;
  invoiceEmail: boolean;
  invoiceEmailAddress: string | null;
  teams: Map<string, TeamRecord>;
  proxyCache: ProxyCacheRecord | null;
  /** In creation order (the order Quay lists and applies them). */
  prototypes: PrototypeRecord[];
  quota: QuotaRecord | null;
  /**
   * `QuotaNamespaceSize.size_bytes` set by a test (`seed.namespaceSize`); null: computed from the blobs the
   * namespace's manifests reference (see quota.ts).
   */
  namespaceSizeBytes: number | null;
}

export interface TagRow {
  id: number;
  name: string;
  manifestDigest: string;
  startMs: number;
  /** null while alive without expiry; a past value for dead rows, a future one for expiring rows. */
  endMs: number | null;
  /** Temporary tag of a push by digest (§11.4); never listed. */
  hidden: boolean;
  reversion: boolean;
  /** FEATURE_IMMUTABLE_TAGS: set by `PUT …/tag/{tag}` `{immutable: true}`; no overwrite, no delete (409). */
  immutable?: boolean;
}

export interface ManifestRecord {
  digest: string;
  mediaType: string;
  /** The bytes exactly as pushed. */
  bytes: Buffer;
  isList: boolean;
  childDigests: string[];
  /** Config and layer blobs an image manifest references. */
  blobDigests: string[];
  /** Compressed layer size (sum of layer sizes); null for lists (§7.5). */
  layersSize: number | null;
  subjectDigest: string | null;
  artifactType: string | null;
  annotations: { [key: string]: string } | null;
}

export type RepoState = 'NORMAL' | 'READ_ONLY' | 'MIRROR';

export interface RepoRecord {
  id: number;
  namespace: string;
  name: string;
  /** null for a repository created by a push (`create_repository(..., description=None)`). */
  description: string | null;
  isPublic: boolean;
  state: RepoState;
  createdMs: number;
  /** Direct user/robot permissions (§6.1). */
  userPermissions: Map<string, RepoRole>;
  teamPermissions: Map<string, RepoRole>;
  /** Full tag history, alive and dead rows (§7.5). */
  tags: TagRow[];
  manifests: Map<string, ManifestRecord>;
  /** Blobs linked to this repository (uploaded, mounted or referenced). */
  blobs: Set<string>;
  /** In creation order. */
  notifications: NotificationRecord[];
  /** Confirmed `RepositoryAuthorizedEmail` addresses (the email notification method needs one). */
  authorizedEmails: Set<string>;
}

export function repoKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function isTagAlive(tag: TagRow, nowMs: number): boolean {
  return tag.endMs === null || tag.endMs > nowMs;
}

/** What Quay keeps in its database, as the emulator needs it. */
export class EmulatorState {
  readonly users = new Map<string, UserRecord>();
  readonly orgs = new Map<string, OrgRecord>();
  /** Keyed by full name `ns+short`. */
  readonly robots = new Map<string, RobotRecord>();
  /** Keyed by `ns/name`. */
  readonly repos = new Map<string, RepoRecord>();
  /** Keyed by the token string. */
  readonly tokens = new Map<string, OAuthTokenRecord>();
  /** Keyed by client id. */
  readonly apps = new Map<string, OAuthAppRecord>();
  /** Names of deleted namespaces not yet purged by the namespace GC; they block re-creation (§4.1, §4.4). */
  readonly deletedNamespaces = new Set<string>();
  /** `SUPER_USERS`; may be changed while running. */
  readonly superUsers: string[];
  #nextId = 1;

  constructor(
    readonly clock: Clock,
    superUsers: string[],
  ) {
    this.superUsers = superUsers;
  }

  nextId(): number {
    return this.#nextId++;
  }

  /** A name taken by a user, an org, or a deleted namespace awaiting GC. */
  namespaceTaken(name: string): boolean {
    return this.users.has(name) || this.orgs.has(name) || this.deletedNamespaces.has(name);
  }

  /** Quay's `User` table holds users, orgs and robots (and renamed deleted orgs) (§2). */
  userTableEmpty(): boolean {
    return (
      this.users.size === 0 &&
      this.orgs.size === 0 &&
      this.robots.size === 0 &&
      this.deletedNamespaces.size === 0
    );
  }

  createUser(username: string, password: string, email: string | null): UserRecord {
    const user: UserRecord = {
      id: this.nextId(),
      username,
      email,
      password,
      encryptedPassword: randomUpperAlnum(40),
      createdMs: this.clock.nowMs(),
    };
    this.users.set(username, user);
    return user;
  }

  createToken(
    username: string,
    scope: string,
    opts: { expiresInS?: number | null; name?: string; appClientId?: string | null; createdBy?: string } = {},
  ): OAuthTokenRecord {
    const now = this.clock.nowMs();
    const record: OAuthTokenRecord = {
      id: this.nextId(),
      uuid: uuid(),
      name: opts.name ?? 'token',
      token: randomUpperAlnum(40),
      username,
      scope,
      appClientId: opts.appClientId ?? null,
      createdBy: opts.createdBy ?? username,
      createdMs: now,
      expiresAtMs:
        opts.expiresInS === null || opts.expiresInS === undefined ? null : now + opts.expiresInS * 1000,
      lastAccessedMs: null,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  createOrg(name: string, owner: string | null, email: string | null): OrgRecord {
    const org: OrgRecord = {
      id: this.nextId(),
      name,
      email: email ?? uuid(),
      createdMs: this.clock.nowMs(),
      tagExpirationS: 1209600,
      invoiceEmail: false,
      invoiceEmailAddress: null,
      teams: new Map(),
      proxyCache: null,
      prototypes: [],
      quota: null,
      namespaceSizeBytes: null,
    };
    // The creator becomes the only member of the auto-created `owners` team (§4.1).
    org.teams.set('owners', {
      name: 'owners',
      description: '',
      role: 'admin',
      members: new Set(owner ? [owner] : []),
      invites: [],
    });
    this.orgs.set(name, org);
    return org;
  }

  /** Org delete is asynchronous in Quay: the name stays reserved until the namespace GC runs (§4.4). */
  deleteOrg(name: string): void {
    this.orgs.delete(name);
    this.deletedNamespaces.add(name);
    for (const [key, repo] of this.repos) if (repo.namespace === name) this.repos.delete(key);
    for (const [key, robot] of this.robots) if (robot.namespace === name) this.robots.delete(key);
    for (const [key, app] of this.apps) {
      if (app.namespace !== name) continue;
      this.apps.delete(key);
      for (const [token, rec] of this.tokens) if (rec.appClientId === key) this.tokens.delete(token);
    }
  }

  /** What the namespace-GC worker does: frees the names of deleted namespaces. */
  purgeDeletedNamespaces(): void {
    this.deletedNamespaces.clear();
  }

  createRobot(
    namespace: string,
    shortname: string,
    description: string,
    metadata: { [key: string]: JsonValue },
  ): RobotRecord {
    const robot: RobotRecord = {
      id: this.nextId(),
      name: `${namespace}+${shortname}`,
      namespace,
      shortname,
      token: randomUpperAlnum(64),
      description,
      metadata,
      createdMs: this.clock.nowMs(),
      lastAccessedMs: null,
    };
    this.robots.set(robot.name, robot);
    return robot;
  }

  deleteRobot(fullName: string): void {
    this.robots.delete(fullName);
    const parts = parseRobotName(fullName);
    const org = parts ? this.orgs.get(parts[0]) : undefined;
    if (org) for (const team of org.teams.values()) team.members.delete(fullName);
    for (const repo of this.repos.values()) repo.userPermissions.delete(fullName);
    // `robot.delete_instance(recursive=True, delete_nullable=True)` takes its prototypes with it.
    for (const o of this.orgs.values()) {
      o.prototypes = o.prototypes.filter(
        (p) => p.activatingUser !== fullName && !(p.delegate.kind === 'user' && p.delegate.name === fullName),
      );
    }
  }

  /** `remove_team`'s `delete_instance(recursive=True, delete_nullable=True)`: permissions and prototypes go too. */
  deleteTeam(org: OrgRecord, teamName: string): void {
    org.teams.delete(teamName);
    for (const repo of this.repos.values()) {
      if (repo.namespace === org.name) repo.teamPermissions.delete(teamName);
    }
    org.prototypes = org.prototypes.filter(
      (p) => !(p.delegate.kind === 'team' && p.delegate.name === teamName),
    );
  }

  /**
   * Creates a repository (`data/model/repository.py::create_repository`). The creating user or robot gets an
   * explicit `admin` permission (§6.1); then, when the creator is not the namespace itself, the org's
   * prototypes are applied (`data/model/permission.py::apply_default_permissions`).
   */
  createRepo(
    namespace: string,
    name: string,
    opts: { isPublic: boolean; description?: string | null; creator?: string | null },
  ): RepoRecord {
    const repo: RepoRecord = {
      id: this.nextId(),
      namespace,
      name,
      description: opts.description === undefined ? '' : opts.description,
      isPublic: opts.isPublic,
      state: 'NORMAL',
      createdMs: this.clock.nowMs(),
      userPermissions: new Map(),
      teamPermissions: new Map(),
      tags: [],
      manifests: new Map(),
      blobs: new Set(),
      notifications: [],
      authorizedEmails: new Set(),
    };
    if (opts.creator) repo.userPermissions.set(opts.creator, 'admin');
    this.repos.set(repoKey(namespace, name), repo);
    const org = this.orgs.get(namespace);
    if (opts.creator && org && opts.creator !== namespace) this.#applyPrototypes(org, repo, opts.creator);
    return repo;
  }

  /**
   * `apply_default_permissions`: the org's prototypes for every creator (no activating user) or for this one,
   * teams first, then users. Per delegate the first generic rule applies unless a rule for this creator comes,
   * which wins (a later one over an earlier one: `__apply_permission_list`). The creator keeps its admin.
   */
  #applyPrototypes(org: OrgRecord, repo: RepoRecord, creator: string): void {
    const applicable = org.prototypes.filter(
      (p) => p.activatingUser === null || p.activatingUser === creator,
    );
    for (const kind of ['team', 'user'] as const) {
      const final = new Map<string, RepoRole>();
      for (const proto of applicable.filter((p) => p.delegate.kind === kind)) {
        if (final.has(proto.delegate.name) && proto.activatingUser === null) continue;
        final.set(proto.delegate.name, proto.role);
      }
      for (const [name, role] of final) {
        if (kind === 'team') repo.teamPermissions.set(name, role);
        else if (name !== creator) repo.userPermissions.set(name, role);
      }
    }
  }

  /** A repository notification by uuid, whatever its repository (`get_repo_notification`). */
  findNotification(uuid: string): { repo: RepoRecord; notification: NotificationRecord } | undefined {
    for (const repo of this.repos.values()) {
      const notification = repo.notifications.find((n) => n.uuid === uuid);
      if (notification) return { repo, notification };
    }
    return undefined;
  }

  getRepo(namespace: string, name: string): RepoRecord | undefined {
    return this.repos.get(repoKey(namespace, name));
  }

  /** Teams of `org` that `principal` (user or robot full name) is a member of. */
  teamsOf(org: OrgRecord, principal: string): TeamRecord[] {
    return [...org.teams.values()].filter((t) => t.members.has(principal));
  }

  /** Orgs where `principal` is on any team (§3 `organizations`). */
  orgsOf(principal: string): OrgRecord[] {
    return [...this.orgs.values()].filter((o) => this.teamsOf(o, principal).length > 0);
  }

  aliveTag(repo: RepoRecord, tagName: string, includeHidden = false): TagRow | undefined {
    const now = this.clock.nowMs();
    return repo.tags.find((t) => t.name === tagName && isTagAlive(t, now) && (includeHidden || !t.hidden));
  }

  /** Points `tagName` at a manifest: ends the alive row of that name and opens a new one (§7.5 history). */
  setTag(
    repo: RepoRecord,
    tagName: string,
    digest: string,
    opts: { hidden?: boolean; expiresInS?: number } = {},
  ): TagRow {
    const now = this.clock.nowMs();
    const current = this.aliveTag(repo, tagName, true);
    if (current && current.manifestDigest === digest && !opts.hidden) return current;
    if (current) current.endMs = now;
    const row: TagRow = {
      id: this.nextId(),
      name: tagName,
      manifestDigest: digest,
      startMs: now,
      endMs: opts.expiresInS === undefined ? null : now + opts.expiresInS * 1000,
      hidden: opts.hidden ?? false,
      reversion: false,
    };
    repo.tags.push(row);
    return row;
  }

  /** Ends an alive tag; returns false when there was none. */
  endTag(repo: RepoRecord, tagName: string): boolean {
    const current = this.aliveTag(repo, tagName);
    if (!current) return false;
    current.endMs = this.clock.nowMs();
    return true;
  }

  /**
   * A manifest is reachable in a repo while an alive tag (hidden ones included) points at it, or at a list
   * that has it as a child.
   */
  reachableManifest(repo: RepoRecord, digest: string): ManifestRecord | undefined {
    const manifest = repo.manifests.get(digest);
    if (!manifest) return undefined;
    const now = this.clock.nowMs();
    for (const tag of repo.tags) {
      if (!isTagAlive(tag, now)) continue;
      if (tag.manifestDigest === digest) return manifest;
      if (repo.manifests.get(tag.manifestDigest)?.childDigests.includes(digest)) return manifest;
    }
    return undefined;
  }
}
