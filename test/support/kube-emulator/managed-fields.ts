/**
 * Field ownership for server-side apply, simplified: a field is a path of map keys, and every list is atomic
 * (owned and replaced as a whole — real SSA merges lists by `x-kubernetes-list-map-keys`). Ownership is kept in
 * `metadata.managedFields` as FieldsV1 (`{"f:data":{"f:a":{}}}`), one entry per manager, operation and
 * subresource, as kube-apiserver does.
 */
import { KubeError } from './errors.js';
import { clone, deepEqual, deletePath, getPath, isMap, type JsonMap } from './json.js';
import type { KubeObject, ManagedFieldsEntry, ResourceType } from './model.js';

/** Metadata the server owns; never part of anyone's field set. */
const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

export interface OwnershipContext {
  manager: string;
  apiVersion: string;
  /** `status` for writes through the `/status` subresource. */
  subresource?: string;
  time: string;
}

/** The part of an object a write through (sub)resource `subresource` may set. */
export function writableView(obj: JsonMap, type: ResourceType, subresource?: string): JsonMap {
  const out: JsonMap = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (key === 'metadata') {
      if (subresource || !isMap(value)) continue;
      const meta = Object.fromEntries(Object.entries(value).filter(([k]) => !SYSTEM_METADATA.has(k)));
      if (Object.keys(meta).length > 0) out.metadata = meta;
      continue;
    }
    const isStatus = key === 'status';
    if (type.statusSubresource && isStatus !== (subresource === 'status')) continue;
    out[key] = value;
  }
  return out;
}

const keyOf = (path: readonly string[]) => JSON.stringify(path);
const pathOf = (key: string) => JSON.parse(key) as string[];
const label = (key: string) => `.${pathOf(key).join('.')}`;

export function leafPaths(value: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (isMap(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leafPaths(v, [...prefix, k], out);
  } else if (prefix.length > 0) {
    out.add(keyOf(prefix));
  }
  return out;
}

export function encodeFields(paths: Iterable<string>): JsonMap {
  const root: JsonMap = {};
  for (const key of paths) {
    let node = root;
    for (const part of pathOf(key)) {
      const f = `f:${part}`;
      const next = isMap(node[f]) ? (node[f] as JsonMap) : {};
      node[f] = next;
      node = next;
    }
  }
  return root;
}

export function decodeFields(fields: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  const children = isMap(fields) ? Object.entries(fields).filter(([k]) => k.startsWith('f:')) : [];
  if (children.length === 0) {
    if (prefix.length > 0) out.add(keyOf(prefix));
    return out;
  }
  for (const [k, v] of children) decodeFields(v, [...prefix, k.slice(2)], out);
  return out;
}

function sameEntry(e: ManagedFieldsEntry, manager: string, operation: string, subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

function entry(
  ctx: OwnershipContext,
  operation: 'Apply' | 'Update',
  fields: Set<string>,
): ManagedFieldsEntry | undefined {
  if (fields.size === 0) return undefined;
  return {
    manager: ctx.manager,
    operation,
    apiVersion: ctx.apiVersion,
    time: ctx.time,
    fieldsType: 'FieldsV1',
    fieldsV1: encodeFields(fields),
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
  };
}

function withFields(e: ManagedFieldsEntry, fields: Set<string>): ManagedFieldsEntry | undefined {
  return fields.size === 0 ? undefined : { ...e, fieldsV1: encodeFields(fields) };
}

/**
 * Ownership after a non-apply write (create, PUT, merge/JSON patch, the test API's `set`): the writer gains
 * the fields whose value it changed and every other manager loses them; removed fields leave every set.
 */
export function recordUpdate(
  entries: ManagedFieldsEntry[] | undefined,
  before: JsonMap,
  after: JsonMap,
  ctx: OwnershipContext,
): ManagedFieldsEntry[] {
  const beforeLeaves = leafPaths(before);
  const afterLeaves = leafPaths(after);
  const changed = new Set(
    [...afterLeaves].filter(
      (p) => !beforeLeaves.has(p) || !deepEqual(getPath(before, pathOf(p)), getPath(after, pathOf(p))),
    ),
  );
  const gone = new Set([...beforeLeaves].filter((p) => !afterLeaves.has(p)));
  // Entries keep their order (a repeated identical write must compare equal, see objects.ts sameContent).
  const out: (ManagedFieldsEntry | 'mine')[] = [];
  let own = new Set<string>();
  for (const e of entries ?? []) {
    const fields = decodeFields(e.fieldsV1);
    if (sameEntry(e, ctx.manager, 'Update', ctx.subresource)) {
      own = fields;
      out.push('mine');
      continue;
    }
    const kept = new Set([...fields].filter((p) => !changed.has(p) && !gone.has(p)));
    const next = withFields(e, kept);
    if (next) out.push(next);
  }
  const mine = new Set([...own, ...changed].filter((p) => !gone.has(p) && afterLeaves.has(p)));
  return placeEntry(out, entry(ctx, 'Update', mine));
}

/** Puts the writer's entry where its old one was (or last); drops it when it owns nothing. */
function placeEntry(
  list: (ManagedFieldsEntry | 'mine')[],
  mine: ManagedFieldsEntry | undefined,
): ManagedFieldsEntry[] {
  if (!list.includes('mine')) list.push('mine');
  return list.flatMap((e) => (e === 'mine' ? (mine ? [mine] : []) : [e]));
}

function mergeApplied(base: JsonMap, applied: JsonMap): JsonMap {
  const out = clone(base);
  for (const [key, value] of Object.entries(applied)) {
    const current = out[key];
    out[key] = isMap(current) && isMap(value) ? mergeApplied(current, value) : clone(value);
  }
  return out;
}

/**
 * Server-side apply of `applied` onto `current` (undefined = create). Conflicts: another manager owns a field
 * the applier sets to a different value → 409 unless `force`, which moves the field to the applier. Fields the
 * applier set last time and dropped now are removed unless another manager still owns them.
 */
export function applyConfiguration(
  current: KubeObject | undefined,
  applied: JsonMap,
  type: ResourceType,
  ctx: OwnershipContext & { force: boolean; name: string },
): { object: JsonMap; managedFields: ManagedFieldsEntry[] } {
  const view = writableView(applied, type, ctx.subresource);
  const appliedLeaves = leafPaths(view);
  const base: JsonMap = current ? clone(current) : {};
  const entries = current?.metadata.managedFields ?? [];
  const conflicts: { manager: string; field: string; key: string }[] = [];
  for (const e of entries) {
    if (sameEntry(e, ctx.manager, 'Apply', ctx.subresource)) continue;
    for (const p of decodeFields(e.fieldsV1)) {
      if (appliedLeaves.has(p) && !deepEqual(getPath(base, pathOf(p)), getPath(view, pathOf(p)))) {
        conflicts.push({ manager: e.manager, field: label(p), key: p });
      }
    }
  }
  if (conflicts.length > 0 && !ctx.force) {
    throw KubeError.applyConflict(type, ctx.name, ctx.apiVersion, conflicts);
  }
  const taken = new Set(conflicts.map((c) => c.key));
  let previous = new Set<string>();
  const others: (ManagedFieldsEntry | 'mine')[] = [];
  const ownedByOthers = new Set<string>();
  for (const e of entries) {
    const fields = decodeFields(e.fieldsV1);
    if (sameEntry(e, ctx.manager, 'Apply', ctx.subresource)) {
      previous = fields;
      others.push('mine');
      continue;
    }
    const kept = new Set([...fields].filter((p) => !taken.has(p)));
    for (const p of kept) ownedByOthers.add(p);
    const next = withFields(e, kept);
    if (next) others.push(next);
  }
  const object = mergeApplied(base, view);
  for (const p of previous) {
    if (!appliedLeaves.has(p) && !ownedByOthers.has(p)) deletePath(object, pathOf(p));
  }
  return { object, managedFields: placeEntry(others, entry(ctx, 'Apply', appliedLeaves)) };
}
