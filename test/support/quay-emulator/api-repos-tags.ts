/** Repositories and the tag API (quay-api.md §7): create, list (next_page), get, update, delete, tag list. */
import { invalidRequest, notFound, requireUser, unauthorized } from './api-auth.js';
import { readJsonBody, str, validateJson, validateSchema } from './api-body.js';
import { requireExistingRepo, requireRepo } from './api-repo-access.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, flaskNotFound, shapeA, shapeC } from './errors.js';
import { type JsonValue, rfc2822, truthyQuery } from './formats.js';
import type { HttpResponse } from './http-io.js';
import type { Schema } from './jsonschema.js';
import { isValidRepoName, TAG_REGEX } from './names.js';
import { repositorySize } from './quota.js';
import type { RouteDef } from './router.js';
import { REPO_ORDER, roleAtLeast } from './scopes.js';
import { isTagAlive, type RepoRecord, type TagRow } from './state.js';

type Params = Record<string, string>;

/** The repository list page size is fixed (§7.2). */
const REPO_PAGE_SIZE = 100;
/** `GET` of a repository shows at most this many active tags (§7.3). */
const REPO_VIEW_MAX_TAGS = 500;

/** `POST /api/v1/repository` (§7.1). */
async function createRepo(ctx: RequestContext): Promise<HttpResponse> {
  const { rt } = ctx;
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    repository: { type: 'string', required: true },
    visibility: { type: 'string', required: true, enum: ['public', 'private'] },
    description: { type: 'string', required: true },
    namespace: { type: 'string' },
    repo_kind: { type: 'string', nullable: true, enum: ['image'] },
  });
  const user = requireUser(ctx);
  const namespace = str(body, 'namespace') ?? user.username;
  if (!rt.perms.canCreateRepo(ctx.caller, namespace)) return unauthorized(ctx);
  const name = str(body, 'repository') ?? '';
  if (rt.state.getRepo(namespace, name)) return invalidRequest(ctx, 'Repository already exists');
  if (!isValidRepoName(name, rt.options.features.extendedRepositoryNames)) {
    return invalidRequest(ctx, 'Invalid repository name');
  }
  rt.state.createRepo(namespace, name, {
    isPublic: body.visibility === 'public',
    description: str(body, 'description') ?? '',
    creator: user.username,
  });
  return apiJson(201, { namespace, name, kind: 'image' });
}

function lastModifiedSeconds(ctx: RequestContext, repo: RepoRecord): number | null {
  const now = ctx.rt.clock.nowMs();
  const alive = repo.tags.filter((t) => !t.hidden && isTagAlive(t, now));
  if (alive.length === 0) return null;
  return Math.floor(Math.max(...alive.map((t) => t.startMs)) / 1000);
}

/** `GET /api/v1/repository` (§7.2): visible repos only, 100 per page, `next_page` token. */
async function listRepos(ctx: RequestContext): Promise<HttpResponse> {
  const { rt, caller } = ctx;
  const q = ctx.url.searchParams;
  const namespace = q.get('namespace');
  const starred = truthyQuery(q.get('starred'));
  const includePublic = truthyQuery(q.get('public'));
  if (!namespace && !starred && !includePublic) {
    return invalidRequest(ctx, 'namespace, starred or public are required for this API call');
  }
  const loggedIn = caller.kind !== 'anonymous';
  let repos = [...rt.state.repos.values()].filter((r) => !namespace || r.namespace === namespace);
  // Stars are not emulated: a starred-only listing is empty.
  if (starred && !namespace && !includePublic) repos = [];
  repos = repos.filter((r) =>
    loggedIn
      ? rt.perms.repoRole(caller, r.namespace, r) !== null || (includePublic && r.isPublic)
      : r.isPublic,
  );
  const page = rt.pageTokens.page(repos, q.get('next_page'), REPO_PAGE_SIZE);
  const withLastModified = truthyQuery(q.get('last_modified'));
  const withPopularity = truthyQuery(q.get('popularity'));
  const repositories = page.items.map((r) => {
    const entry: Record<string, JsonValue> = {
      namespace: r.namespace,
      name: r.name,
      description: r.description,
      is_public: r.isPublic,
      kind: 'image',
      state: r.state,
    };
    if (loggedIn) entry.is_starred = false;
    if (withLastModified) entry.last_modified = lastModifiedSeconds(ctx, r);
    if (withPopularity) entry.popularity = 0;
    // repository_models_pre_oci.py add_quota_view (FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA).
    if (rt.options.features.quotaManagement && rt.options.features.editQuota) {
      const org = rt.state.orgs.get(r.namespace);
      const systemDefault = rt.options.defaultSystemRejectQuotaBytes;
      entry.quota_report = {
        quota_bytes: repositorySize(r, (d) => rt.blobs.size(d) ?? 0),
        configured_quota: org?.quota ? org.quota.limitBytes : systemDefault !== 0 ? systemDefault : null,
      };
    }
    return entry;
  });
  const body: Record<string, JsonValue> = { repositories };
  if (page.nextPage) body.next_page = page.nextPage;
  return apiJson(200, body);
}

/** `GET /api/v1/repository/{ns}/{repo}` (§7.3). */
async function getRepo(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { namespace, repo: found } = requireRepo(ctx, p.repo ?? '', 'read', {
    allowMissing: true,
    allowSuperuser: true,
  });
  if (!found) return notFound(ctx);
  const repo = found;
  const role = rt.perms.repoRole(ctx.caller, namespace, repo);
  const includeTags =
    ctx.url.searchParams.get('includeTags') === null || truthyQuery(ctx.url.searchParams.get('includeTags'));
  const org = rt.state.orgs.get(namespace);
  const view: Record<string, JsonValue> = {
    namespace,
    name: repo.name,
    kind: 'image',
    description: repo.description,
    is_public: repo.isPublic,
    is_organization: org !== undefined,
    is_starred: false,
    status_token: '',
    trust_enabled: false,
    tag_expiration_s: org?.tagExpirationS ?? 1209600,
    is_free_account: true,
    state: repo.state,
  };
  if (includeTags) {
    const now = rt.clock.nowMs();
    const tags: Record<string, JsonValue> = {};
    const alive = repo.tags.filter((t) => !t.hidden && isTagAlive(t, now)).slice(0, REPO_VIEW_MAX_TAGS);
    for (const t of alive) {
      const entry: Record<string, JsonValue> = {
        name: t.name,
        size: repo.manifests.get(t.manifestDigest)?.layersSize ?? null,
        last_modified: rfc2822(t.startMs),
        manifest_digest: t.manifestDigest,
      };
      if (t.endMs !== null) entry.expiration = rfc2822(t.endMs);
      tags[t.name] = entry;
    }
    view.tags = tags;
  }
  // Repository.get: write needs state NORMAL; a full-access superuser may administer and (NORMAL) write.
  const superuser = rt.perms.isSuperUserWithFullAccess(ctx.caller);
  view.can_write = (roleAtLeast(REPO_ORDER, role, 'write') || superuser) && repo.state === 'NORMAL';
  view.can_admin = roleAtLeast(REPO_ORDER, role, 'admin') || superuser;
  return apiJson(200, view);
}

/** `PUT /api/v1/repository/{repo}` body `{description}`: write permission, then the body, then 404. */
async function updateRepo(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = requireRepo(ctx, p.repo ?? '', 'write', { allowMissing: true, allowSuperuser: true });
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    description: { type: 'string', required: true },
  });
  if (!repo) return notFound(ctx);
  repo.description = str(body, 'description') ?? '';
  return apiJson(200, { success: true });
}

/** `DELETE /api/v1/repository/{ns}/{repo}`: 204; the emulator removes it at once (Quay GCs it later). */
async function deleteRepo(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { namespace, repo } = requireExistingRepo(ctx, p.repo ?? '', 'admin');
  ctx.rt.state.repos.delete(`${namespace}/${repo.name}`);
  return { status: 204 };
}

/**
 * `POST .../changevisibility` body `{visibility}`: 200 `{"success": true}`. For a repository that does not
 * exist the view falls off its `if model.repo_exists(...)` and returns None: 200 `null`.
 */
async function changeVisibility(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = requireRepo(ctx, p.repo ?? '', 'admin', { allowMissing: true, allowSuperuser: true });
  const body = validateSchema(ctx, await readJsonBody(ctx), {
    visibility: { type: 'string', required: true, enum: ['public', 'private'] },
  });
  if (!repo) return apiJson(200, null);
  repo.isPublic = body.visibility === 'public';
  return apiJson(200, { success: true });
}

/** `_tag_dict` (§7.5). */
function tagView(repo: RepoRecord, tag: TagRow): Record<string, JsonValue> {
  const manifest = repo.manifests.get(tag.manifestDigest);
  const view: Record<string, JsonValue> = { name: tag.name, reversion: tag.reversion };
  if (tag.startMs > 0) view.start_ts = Math.floor(tag.startMs / 1000);
  if (tag.endMs !== null) view.end_ts = Math.floor(tag.endMs / 1000);
  view.manifest_digest = tag.manifestDigest;
  view.is_manifest_list = manifest?.isList ?? false;
  view.size = manifest?.isList ? null : (manifest?.layersSize ?? null);
  view.last_modified = rfc2822(tag.startMs);
  if (tag.endMs !== null) view.expiration = rfc2822(tag.endMs);
  if (manifest?.isList) {
    const presence: Record<string, JsonValue> = {};
    for (const child of manifest.childDigests) presence[child] = repo.manifests.has(child);
    view.is_sparse = false;
    view.child_manifest_count = manifest.childDigests.length;
    view.present_child_count = Object.values(presence).filter(Boolean).length;
    view.child_manifests_presence = presence;
  }
  return view;
}

function intParam(value: string | null, fallback: number): number {
  const n = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? n : fallback;
}

const byNewest = (a: TagRow, b: TagRow) =>
  b.startMs - a.startMs || a.name.localeCompare(b.name) || b.id - a.id;

/** The last sort of each repository's history, with the rows (and their sort keys) it was made from. */
const sortedHistory = new WeakMap<
  RepoRecord,
  { rows: TagRow[]; keys: { startMs: number; name: string; id: number }[]; sorted: TagRow[] }
>();

/**
 * The history in the tag list's order, newest first. Sorting the whole history for every page made a
 * 10k-tag repository cost O(n log n) localeCompare calls per 100 tags; the order is kept while the rows
 * and their keys are the same (checked row by row: tests may change `repo.tags` freely).
 */
function tagsNewestFirst(repo: RepoRecord): TagRow[] {
  const cached = sortedHistory.get(repo);
  const tags = repo.tags;
  if (
    cached &&
    cached.rows.length === tags.length &&
    tags.every((t, i) => {
      const key = cached.keys[i];
      return t === cached.rows[i] && key?.startMs === t.startMs && key.name === t.name && key.id === t.id;
    })
  )
    return cached.sorted;
  const sorted = [...tags].sort(byNewest);
  sortedHistory.set(repo, {
    rows: [...tags],
    keys: tags.map((t) => ({ startMs: t.startMs, name: t.name, id: t.id })),
    sorted,
  });
  return sorted;
}

/**
 * `GET .../tag/` (§7.5): page/limit paging with `has_additional`. Without `onlyActiveTags=true` the list is the
 * full tag history (dead and overwritten rows too). Hidden tags are never listed.
 */
async function listTags(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  // `require_repo_read(allow_for_superuser=True, …)`: a full-access superuser reads any repository's tags.
  const { repo: found } = requireRepo(ctx, p.repo ?? '', 'read', {
    allowMissing: true,
    allowSuperuser: true,
  });
  if (!found) return notFound(ctx);
  const repo = found;
  const q = ctx.url.searchParams;
  const page = Math.max(1, intParam(q.get('page'), 1));
  const limit = Math.min(100, Math.max(1, intParam(q.get('limit'), 50)));
  const now = ctx.rt.clock.nowMs();
  let rows = tagsNewestFirst(repo).filter((t) => !t.hidden);
  if (truthyQuery(q.get('onlyActiveTags'))) rows = rows.filter((t) => isTagAlive(t, now));
  const specific = q.get('specificTag');
  if (specific) rows = rows.filter((t) => t.name === specific);
  const filter = q.get('filter_tag_name');
  if (filter) {
    if (filter.startsWith('like:')) rows = rows.filter((t) => t.name.includes(filter.slice(5)));
    else if (filter.startsWith('eq:')) rows = rows.filter((t) => t.name === filter.slice(3));
    else {
      return shapeC(400, "Unsupported syntax for filter_tag_name. Expected 'like:<name>' or 'eq:<name>'.");
    }
  }
  const window = rows.slice((page - 1) * limit, page * limit + 1);
  return apiJson(200, {
    tags: window.slice(0, limit).map((t) => tagView(repo, t)),
    page,
    has_additional: window.length > limit,
  });
}

/** data/database.py `RepositoryState`: the message shows the stored number (real Quay: "…mode: 1"). */
const STATE_NUMBER: Record<RepoRecord['state'], number> = { NORMAL: 0, READ_ONLY: 1, MIRROR: 2 };

/**
 * `disallow_for_non_normal_repositories` (endpoints/api/__init__.py): an API write on a READ_ONLY or MIRROR
 * repository is 503 `{"message": "Repository is in read only or mirror mode: 1"}`.
 */
function refuseUnlessNormal(repo: RepoRecord | undefined): void {
  if (repo && repo.state !== 'NORMAL')
    fail(shapeC(503, `Repository is in read only or mirror mode: ${STATE_NUMBER[repo.state]}`));
}

/**
 * `DELETE .../tag/{tag}` (`api/tag.py:RepositoryTag.delete`): ends the alive row (it stays in the history);
 * 409 for an immutable tag.
 */
async function deleteTag(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = requireRepo(ctx, p.repo ?? '', 'write', { allowMissing: true, allowSuperuser: true });
  refuseUnlessNormal(repo);
  if (!repo) return notFound(ctx);
  const alive = ctx.rt.state.aliveTag(repo, p.tag ?? '');
  if (alive?.immutable)
    return shapeA(ctx.baseUrl, 'tag_immutable', `Cannot delete immutable tag '${alive.name}'`);
  if (!ctx.rt.state.endTag(repo, p.tag ?? '')) return notFound(ctx);
  return { status: 204 };
}

/** util/names.py `TAG_ERROR`. */
const TAG_ERROR =
  'Invalid tag: must match [A-Za-z0-9_.-], NOT start with "." or "-", and can contain 1-128 characters';

/** `RepositoryTag.schemas["ChangeTag"]`, verbatim. */
const CHANGE_TAG: Schema = {
  type: 'object',
  description: 'Makes changes to a specific tag',
  properties: {
    manifest_digest: {
      type: ['string', 'null'],
      description: '(If specified) The manifest digest to which the tag should point',
    },
    expiration: { type: ['number', 'null'], description: '(If specified) The expiration for the image' },
    immutable: { type: 'boolean', description: '(If specified) Whether the tag should be immutable.' },
  },
};

/**
 * `PUT .../tag/{tag}` (`api/tag.py:RepositoryTag.put`): expiry (a future time, or null for none), immutability
 * (unsetting it needs admin) and `manifest_digest` (create or move the tag), in that order; 201 `"Updated"`.
 */
async function changeTag(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { rt } = ctx;
  const { namespace, repo } = requireRepo(ctx, p.repo ?? '', 'write', {
    allowMissing: true,
    allowSuperuser: true,
  });
  refuseUnlessNormal(repo);
  const body = validateJson(ctx, await readJsonBody(ctx), CHANGE_TAG);
  const tagName = p.tag ?? '';
  if (!TAG_REGEX.test(tagName)) return shapeC(400, TAG_ERROR);
  if (!repo) return notFound(ctx);
  if ('expiration' in body) {
    const tag = rt.state.aliveTag(repo, tagName);
    if (!tag) return notFound(ctx);
    const expiration = body.expiration;
    if (typeof expiration === 'number' && expiration * 1000 <= rt.clock.nowMs()) return shapeC(400);
    tag.endMs = typeof expiration === 'number' ? Math.floor(expiration * 1000) : null;
  }
  if ('immutable' in body && rt.options.features.immutableTags) {
    const tag = rt.state.aliveTag(repo, tagName);
    if (!tag) return notFound(ctx);
    const role = rt.perms.repoRole(ctx.caller, namespace, repo);
    if (
      body.immutable === false &&
      tag.immutable &&
      !roleAtLeast(REPO_ORDER, role, 'admin') &&
      !rt.perms.isSuperUserWithFullAccess(ctx.caller)
    )
      return unauthorized(ctx);
    tag.immutable = body.immutable === true;
  }
  if ('manifest_digest' in body) {
    const digest = typeof body.manifest_digest === 'string' ? body.manifest_digest : '';
    if (!rt.state.reachableManifest(repo, digest)) return notFound(ctx);
    const existing = rt.state.aliveTag(repo, tagName);
    if (existing?.immutable && existing.manifestDigest !== digest)
      return shapeA(ctx.baseUrl, 'tag_immutable', `Cannot retarget immutable tag '${tagName}'`);
    rt.state.setTag(repo, tagName, digest);
  }
  return apiJson(201, 'Updated');
}

/**
 * `PUT .../changestate` body `{state}` (`api/repository.py:RepositoryStateResource.put`, `show_if(REPO_MIRROR)`):
 * repository admin (or a full-access superuser); NORMAL, READ_ONLY or MIRROR; 200 `{"success": true}`.
 */
async function changeState(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  if (!ctx.rt.options.features.repoMirror) return flaskNotFound();
  const { repo } = requireRepo(ctx, p.repo ?? '', 'admin', { allowMissing: true, allowSuperuser: true });
  const body = validateJson(ctx, await readJsonBody(ctx), CHANGE_REPO_STATE);
  if (!repo) return notFound(ctx);
  repo.state = body.state as RepoRecord['state'];
  return apiJson(200, { success: true });
}

/** `RepositoryStateResource.schemas["ChangeRepoState"]`, verbatim. */
const CHANGE_REPO_STATE: Schema = {
  type: 'object',
  description: 'Change the state of the repository.',
  required: ['state'],
  properties: {
    state: {
      type: 'string',
      description: 'Determines whether pushes are allowed.',
      enum: ['NORMAL', 'READ_ONLY', 'MIRROR'],
    },
  },
};

export function repoRoutes(): RouteDef<RequestContext>[] {
  const repo = '/api/v1/repository/{repo+}';
  return [
    { method: 'POST', pattern: '/api/v1/repository', kind: 'api', handler: createRepo },
    { method: 'GET', pattern: '/api/v1/repository', kind: 'api', handler: listRepos },
    { method: 'GET', pattern: `${repo}/tag/`, kind: 'api', handler: listTags },
    { method: 'DELETE', pattern: `${repo}/tag/{tag}`, kind: 'api', handler: deleteTag },
    { method: 'PUT', pattern: `${repo}/tag/{tag}`, kind: 'api', handler: changeTag },
    { method: 'PUT', pattern: `${repo}/changestate`, kind: 'api', handler: changeState },
    { method: 'POST', pattern: `${repo}/changevisibility`, kind: 'api', handler: changeVisibility },
    { method: 'GET', pattern: repo, kind: 'api', handler: getRepo },
    { method: 'PUT', pattern: repo, kind: 'api', handler: updateRepo },
    { method: 'DELETE', pattern: repo, kind: 'api', handler: deleteRepo },
  ];
}
