/**
 * Direct state set-up for tests: users with tokens, orgs, robots, teams, repositories, permissions, blobs and
 * pushed images, without going through HTTP. Everything returns the records it made, so tests can inspect them.
 */

import { splitRepoPath } from './api-repo-access.js';
import type { BlobStore } from './blob-store.js';
import { type JsonValue, randomUpperAlnum, uuid } from './formats.js';
import { MEDIA_TYPES, parseManifest } from './manifests.js';
import { INIT_TOKEN_SCOPE } from './scopes.js';
import {
  type EmulatorState,
  isTagAlive,
  type NotificationRecord,
  type OrgRecord,
  type PrototypeRecord,
  type ProxyCacheRecord,
  type QuotaRecord,
  type QuotaType,
  type RepoRecord,
  type RepoRole,
  type TagRow,
  type TeamRecord,
  type TeamRole,
} from './state.js';

/** Every scope, as the init token has them (§2). */
export const ALL_SCOPES = INIT_TOKEN_SCOPE;

export interface SeededUser {
  username: string;
  password: string;
  /** The docker password returned by user initialize (§2); also accepted at `/v2/auth`. */
  encryptedPassword: string;
}

export interface PushedImage {
  digest: string;
  mediaType: string;
  manifest: Buffer;
  configDigest: string;
  layerDigests: string[];
}

export interface PushImageOptions {
  /** Layer contents; default one small layer derived from the reference. */
  layers?: (Buffer | string)[];
  /** `docker` (schema2, default) or `oci`. */
  format?: 'docker' | 'oci';
  architecture?: string;
  os?: string;
  /** OCI only: makes this an artifact/referrer of `subject`. */
  subject?: { digest: string; mediaType: string; size: number };
  artifactType?: string;
  annotations?: Record<string, string>;
}

export class Seeder {
  constructor(
    private readonly state: EmulatorState,
    private readonly blobs: BlobStore,
  ) {}

  user(
    username: string,
    opts: { password?: string; email?: string | null; superUser?: boolean } = {},
  ): SeededUser {
    const password = opts.password ?? `pw-${randomUpperAlnum(12)}`;
    const email = opts.email === undefined ? `${username}@example.com` : opts.email;
    const user = this.state.createUser(username, password, email);
    if (opts.superUser && !this.state.superUsers.includes(username)) this.state.superUsers.push(username);
    return { username, password, encryptedPassword: user.encryptedPassword };
  }

  /** An OAuth token of `username`; scopes as a list or a space/comma separated string. Default: all scopes. */
  token(
    username: string,
    scopes: string | string[] = ALL_SCOPES,
    opts: { expiresInS?: number | null } = {},
  ): string {
    const scope = Array.isArray(scopes) ? scopes.join(' ') : scopes;
    return this.state.createToken(username, scope, { expiresInS: opts.expiresInS ?? null }).token;
  }

  /** A user and a token in one go. */
  userWithToken(
    username: string,
    opts: { scopes?: string | string[]; superUser?: boolean; password?: string; email?: string | null } = {},
  ): SeededUser & { token: string } {
    const user = this.user(username, opts);
    return { ...user, token: this.token(username, opts.scopes ?? ALL_SCOPES) };
  }

  /** An org; `owner` joins its `owners` team (as the creator does through the API, §4.1). */
  org(name: string, opts: { owner?: string | null; email?: string | null } = {}): OrgRecord {
    return this.state.createOrg(name, opts.owner ?? null, opts.email ?? null);
  }

  robot(
    namespace: string,
    shortname: string,
    opts: { description?: string } = {},
  ): { name: string; token: string } {
    const robot = this.state.createRobot(namespace, shortname, opts.description ?? '', {});
    return { name: robot.name, token: robot.token };
  }

  /** Creates or updates a team and adds members directly (no invites). */
  team(
    orgName: string,
    team: string,
    opts: { role?: TeamRole; members?: string[]; description?: string } = {},
  ): TeamRecord {
    const org = this.state.orgs.get(orgName);
    if (!org) throw new Error(`seed.team: no org ${orgName}`);
    const record = org.teams.get(team) ?? {
      name: team,
      description: opts.description ?? '',
      role: opts.role ?? 'member',
      members: new Set<string>(),
      invites: [],
    };
    if (opts.role) record.role = opts.role;
    for (const m of opts.members ?? []) record.members.add(m);
    org.teams.set(team, record);
    return record;
  }

  repo(
    path: string,
    opts: { public?: boolean; description?: string; creator?: string | null } = {},
  ): RepoRecord {
    const { namespace, name } = splitRepoPath(path);
    const existing = this.state.getRepo(namespace, name);
    if (existing) return existing;
    return this.state.createRepo(namespace, name, {
      isPublic: opts.public ?? false,
      description: opts.description,
      creator: opts.creator ?? null,
    });
  }

  permission(path: string, username: string, role: RepoRole): void {
    this.repo(path).userPermissions.set(username, role);
  }

  teamPermission(path: string, team: string, role: RepoRole): void {
    this.repo(path).teamPermissions.set(team, role);
  }

  /** Stores a blob and links it to the repository (created if missing). */
  async blob(path: string, data: Buffer | string): Promise<{ digest: string; size: number }> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = await this.blobs.put(buf);
    this.repo(path).blobs.add(digest);
    return { digest, size: buf.length };
  }

  /** Stores manifest bytes under a tag, or (tag null: a push by digest) a hidden temporary tag. Returns the digest. */
  manifest(path: string, tag: string | null, bytes: Buffer, mediaType: string): string {
    const parsed = parseManifest(bytes, mediaType, true);
    if (!parsed.ok) throw new Error(`seed.manifest: ${parsed.message}`);
    const repo = this.repo(path);
    repo.manifests.set(parsed.manifest.digest, parsed.manifest);
    if (tag === null) {
      this.state.setTag(repo, `$temp-${randomUpperAlnum(8)}`, parsed.manifest.digest, {
        hidden: true,
        expiresInS: 3600,
      });
    } else {
      this.state.setTag(repo, tag, parsed.manifest.digest);
    }
    return parsed.manifest.digest;
  }

  /**
   * Many tags at once (benchmarks: 100k tags): each `[tag, digest]` names a manifest the repository already
   * stores, as `manifest()` would, but in one pass — `setTag` looks for the alive row of each name in the
   * whole history, which is quadratic over many tags. A name that already has an alive row goes through
   * `setTag`, so the history stays what one push at a time would make.
   */
  tags(path: string, entries: Iterable<readonly [tag: string, digest: string]>): void {
    const repo = this.repo(path);
    const now = this.state.clock.nowMs();
    const alive = new Set(repo.tags.filter((t) => isTagAlive(t, now)).map((t) => t.name));
    for (const [tag, digest] of entries) {
      if (!repo.manifests.has(digest)) throw new Error(`seed.tags: ${path} has no manifest ${digest}`);
      if (alive.has(tag)) {
        this.state.setTag(repo, tag, digest);
        continue;
      }
      alive.add(tag);
      const row: TagRow = {
        id: this.state.nextId(),
        name: tag,
        manifestDigest: digest,
        startMs: now,
        endMs: null,
        hidden: false,
        reversion: false,
      };
      repo.tags.push(row);
    }
  }

  /** Pushes a small single-platform image (blobs + manifest) and points the tags at it. */
  async pushImage(path: string, tags: string | string[], opts: PushImageOptions = {}): Promise<PushedImage> {
    const tagList = Array.isArray(tags) ? tags : [tags];
    const oci = opts.format === 'oci' || opts.subject !== undefined || opts.artifactType !== undefined;
    const layerData = opts.layers ?? [`layer of ${path}:${tagList[0] ?? ''}`];
    const layers = [];
    for (const data of layerData) layers.push(await this.blob(path, data));
    const config = {
      architecture: opts.architecture ?? 'amd64',
      os: opts.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      // Every builder writes `history`; Quay refuses a Docker schema 2 config without it (CONTRACT.md row 26).
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    };
    const configBlob = await this.blob(path, JSON.stringify(config));
    const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const manifest: Record<string, unknown> = {
      schemaVersion: 2,
      mediaType,
      ...(opts.artifactType ? { artifactType: opts.artifactType } : {}),
      config: {
        mediaType: oci
          ? 'application/vnd.oci.image.config.v1+json'
          : 'application/vnd.docker.container.image.v1+json',
        digest: configBlob.digest,
        size: configBlob.size,
      },
      layers: layers.map((l) => ({
        mediaType: oci
          ? 'application/vnd.oci.image.layer.v1.tar+gzip'
          : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        digest: l.digest,
        size: l.size,
      })),
      ...(opts.subject ? { subject: opts.subject } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    let digest = '';
    for (const tag of tagList.length > 0 ? tagList : [null])
      digest = this.manifest(path, tag, bytes, mediaType);
    return {
      digest,
      mediaType,
      manifest: bytes,
      configDigest: configBlob.digest,
      layerDigests: layers.map((l) => l.digest),
    };
  }

  /** Pushes a multi-platform index whose children are pushed by digest first (§11.4). */
  async pushIndex(
    path: string,
    tag: string,
    platforms: { architecture: string; os?: string }[] = [
      { architecture: 'amd64' },
      { architecture: 'arm64' },
    ],
    opts: { format?: 'docker' | 'oci' } = {},
  ): Promise<{ digest: string; manifest: Buffer; children: PushedImage[] }> {
    const children: PushedImage[] = [];
    for (const platform of platforms) {
      children.push(
        await this.pushImage(path, [], {
          format: opts.format,
          architecture: platform.architecture,
          os: platform.os,
          layers: [`layer of ${path} for ${platform.os ?? 'linux'}/${platform.architecture}`],
        }),
      );
    }
    const oci = opts.format === 'oci';
    const mediaType = oci ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerList;
    const index = {
      schemaVersion: 2,
      mediaType,
      manifests: children.map((c, i) => ({
        mediaType: c.mediaType,
        digest: c.digest,
        size: c.manifest.length,
        platform: { architecture: platforms[i]?.architecture ?? 'amd64', os: platforms[i]?.os ?? 'linux' },
      })),
    };
    const bytes = Buffer.from(JSON.stringify(index, null, 3));
    return { digest: this.manifest(path, tag, bytes, mediaType), manifest: bytes, children };
  }

  /** Ends the alive row of a tag; it stays in the tag history (§7.5). */
  deleteTag(path: string, tag: string): boolean {
    const { namespace, name } = splitRepoPath(path);
    const repo = this.state.getRepo(namespace, name);
    return repo ? this.state.endTag(repo, tag) : false;
  }

  #org(orgName: string, hook: string): OrgRecord {
    const org = this.state.orgs.get(orgName);
    if (!org) throw new Error(`seed.${hook}: no org ${orgName}`);
    return org;
  }

  /** A default permission of the org (applied to repositories created afterwards, §6.3). */
  prototype(
    orgName: string,
    opts: {
      role: RepoRole;
      delegate: { kind: 'user' | 'team'; name: string };
      activatingUser?: string | null;
    },
  ): PrototypeRecord {
    const org = this.#org(orgName, 'prototype');
    const proto: PrototypeRecord = {
      id: this.state.nextId(),
      uuid: uuid(),
      activatingUser: opts.activatingUser ?? null,
      delegate: { ...opts.delegate },
      role: opts.role,
    };
    org.prototypes.push(proto);
    return proto;
  }

  /** A repository notification (default: a `repo_push` webhook to `config.url`), as if created by the API. */
  notification(
    path: string,
    opts: {
      config: { [key: string]: JsonValue };
      event?: string;
      method?: string;
      eventConfig?: { [key: string]: JsonValue };
      title?: string | null;
      numberOfFailures?: number;
    },
  ): NotificationRecord {
    const record: NotificationRecord = {
      id: this.state.nextId(),
      uuid: uuid(),
      title: opts.title ?? null,
      event: opts.event ?? 'repo_push',
      method: opts.method ?? 'webhook',
      config: opts.config,
      eventConfig: opts.eventConfig ?? {},
      numberOfFailures: opts.numberOfFailures ?? 0,
    };
    this.repo(path).notifications.push(record);
    return record;
  }

  /** A confirmed authorized e-mail address of the repository (needed by the `email` notification method). */
  authorizedEmail(path: string, email: string): void {
    this.repo(path).authorizedEmails.add(email);
  }

  /** The org's quota (replacing any) with its limits, as the quota API would make them. */
  quota(
    orgName: string,
    limitBytes: number,
    limits: { type: QuotaType; percent: number }[] = [],
  ): QuotaRecord {
    const org = this.#org(orgName, 'quota');
    org.quota = {
      id: this.state.nextId(),
      limitBytes,
      limits: limits.map((l) => ({ id: this.state.nextId(), type: l.type, percentOfLimit: l.percent })),
    };
    return org.quota;
  }

  /**
   * Sets the namespace's stored size (`QuotaNamespaceSize.size_bytes`, the org view's
   * `quota_report.quota_bytes`); null goes back to computing it from the stored manifests' blobs.
   */
  namespaceSize(orgName: string, bytes: number | null): void {
    this.#org(orgName, 'namespaceSize').namespaceSizeBytes = bytes;
  }

  proxyCache(orgName: string, config: Partial<ProxyCacheRecord> & { upstreamRegistry: string }): void {
    const org = this.state.orgs.get(orgName);
    if (!org) throw new Error(`seed.proxyCache: no org ${orgName}`);
    org.proxyCache = {
      upstreamRegistry: config.upstreamRegistry,
      username: config.username ?? null,
      password: config.password ?? null,
      expirationS: config.expirationS ?? 86400,
      insecure: config.insecure ?? false,
    };
  }
}
