/**
 * What kube-apiserver does to an object on each verb: admission-like checks, defaults, metadata (uid,
 * resourceVersion, generation, creationTimestamp, managedFields), the status subresource split, finalizers and
 * namespace deletion. Used by the HTTP handlers and by the test control API alike.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceCatalog } from './catalog.js';
import { CRD_GROUP, validateCrd } from './crd.js';
import { KubeError } from './errors.js';
import { clone, deepEqual, isMap, type JsonMap } from './json.js';
import {
  applyDefaults,
  foldStringData,
  generationView,
  isCore,
  nameCauses,
  randomSuffix,
  sameContent,
  tracksGeneration,
} from './kind-rules.js';
import { applyConfiguration, recordUpdate, writableView } from './managed-fields.js';
import { joinApiVersion, type KubeObject, type ResourceType, splitApiVersion, timestamp } from './model.js';
import { checkSchema } from './schema.js';
import type { Selector } from './selectors.js';
import type { ObjectStore } from './store.js';

export interface WriteOptions {
  /** Field manager: the `fieldManager` query parameter, or one derived from the User-Agent. */
  manager: string;
  /** The version in the request URL (objects are stored once per kind; no conversion). */
  version: string;
  dryRun?: boolean;
  subresource?: 'status';
  /** The `fieldValidation` query parameter: Strict rejects fields a CRD's schema does not declare. */
  fieldValidation?: string;
}

export class ObjectService {
  readonly #store: ObjectStore;
  readonly #catalog: ResourceCatalog;

  constructor(store: ObjectStore, catalog: ResourceCatalog) {
    this.#store = store;
    this.#catalog = catalog;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  get(type: ResourceType, namespace: string | undefined, name: string, version: string): KubeObject {
    const found = this.#store.get(type, namespace, name);
    if (!found) throw KubeError.notFound(type, name);
    return this.#asVersion(found, type, version);
  }

  list(type: ResourceType, namespace: string | undefined, selector: Selector, version: string): JsonMap {
    return {
      apiVersion: joinApiVersion(type.group, version),
      kind: type.listKind,
      metadata: { resourceVersion: String(this.#store.resourceVersion) },
      items: this.#store
        .list(type, namespace)
        .filter(selector)
        .map((o) => this.#asVersion(o, type, version)),
    };
  }

  // ---- writes ------------------------------------------------------------------------------------------

  create(type: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions): KubeObject {
    if (opts.subresource) throw KubeError.methodNotAllowed();
    const obj = this.#decode(type, namespace, body, opts.version);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = obj.metadata.generateName + randomSuffix();
    }
    const name = obj.metadata.name ?? '';
    if (!name) {
      throw KubeError.invalid(type, '', [
        {
          reason: 'FieldValueRequired',
          field: 'metadata.name',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    this.#admitCreate(type, obj);
    if (type.statusSubresource) delete obj.status;
    const created = this.#initialize(type, obj);
    created.metadata.managedFields = recordUpdate(
      [],
      {},
      writableView(created, type),
      this.#ownership(type, opts),
    );
    return this.#persist(type, undefined, created, opts);
  }

  /** PUT on the object or its `/status`. */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions,
  ): KubeObject {
    const obj = this.#decode(type, namespace, body, opts.version);
    this.#checkName(obj, name);
    const current = this.#existing(type, namespace, name);
    const wanted = obj.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw KubeError.conflict(type, name);
    return this.#replace(type, current, obj, opts);
  }

  /** Merge, strategic-merge (as merge) or JSON patch: `patchFn` maps the current object to the patched one. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patchFn: (current: KubeObject) => unknown,
    opts: WriteOptions,
  ): KubeObject {
    const current = this.#existing(type, namespace, name);
    const patched = patchFn(this.#asVersion(current, type, opts.version));
    const obj = this.#decode(type, namespace, patched, opts.version);
    this.#checkName(obj, name);
    const wanted = obj.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw KubeError.conflict(type, name);
    return this.#replace(type, current, obj, opts);
  }

  /** Server-side apply (`application/apply-patch+yaml`); creates the object when it does not exist. */
  apply(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions & { force: boolean },
  ): { object: KubeObject; created: boolean } {
    const applied = this.#decode(type, namespace, body, opts.version);
    this.#checkName(applied, name);
    const current = this.#store.get(type, namespace, name);
    if (!current && opts.subresource) throw KubeError.notFound(type, name);
    if (!current) this.#admitCreate(type, applied);
    const ctx = { ...this.#ownership(type, opts), force: opts.force, name };
    const { object, managedFields } = applyConfiguration(current, applied, type, ctx);
    const next = object as KubeObject;
    next.apiVersion = applied.apiVersion;
    next.kind = type.kind;
    if (!current) {
      next.metadata = { ...next.metadata, name, ...(namespace ? { namespace } : {}) };
      const created = this.#initialize(type, next);
      created.metadata.managedFields = managedFields;
      return { object: this.#persist(type, undefined, created, opts), created: true };
    }
    next.metadata.managedFields = managedFields;
    return { object: this.#persist(type, current, next, opts), created: false };
  }

  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: { dryRun?: boolean; version: string },
  ): KubeObject {
    const current = this.#existing(type, namespace, name);
    if (opts.dryRun) return this.#asVersion(current, type, opts.version);
    if (isCore(type, 'Namespace')) return this.#deleteNamespace(type, current, opts.version);
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return this.#asVersion(current, type, opts.version);
      current.metadata.deletionTimestamp = timestamp();
      return this.#asVersion(this.#store.write(type, current), type, opts.version);
    }
    const removed = this.#store.remove(type, namespace, name) ?? current;
    return this.#asVersion(removed, type, opts.version);
  }

  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    selector: Selector,
    opts: { dryRun?: boolean; version: string },
  ): JsonMap {
    const items = this.#store
      .list(type, namespace)
      .filter(selector)
      .map((o) => this.delete(type, o.metadata.namespace, o.metadata.name ?? '', opts));
    return { apiVersion: joinApiVersion(type.group, opts.version), kind: type.listKind, metadata: {}, items };
  }

  /**
   * The test API's direct write: creates or replaces the whole object, status included, with no admission
   * checks except the name (a test may put objects in namespaces it never created).
   */
  put(type: ResourceType, input: KubeObject, manager: string): KubeObject {
    const { version } = splitApiVersion(input.apiVersion);
    const obj = this.#decode(
      type,
      input.metadata.namespace,
      input,
      type.versions.includes(version) ? version : (type.versions[0] ?? version),
    );
    const name = obj.metadata.name ?? '';
    const causes = nameCauses(type, name);
    if (causes.length > 0) throw KubeError.invalid(type, name, causes);
    if (type.namespaced && !obj.metadata.namespace) {
      throw KubeError.badRequest(`${type.kind} "${name}" needs metadata.namespace`);
    }
    const current = this.#store.get(type, obj.metadata.namespace, name);
    const everything: ResourceType = { ...type, statusSubresource: false };
    const ctx = this.#ownership(type, { manager, version });
    if (!current) {
      const created = this.#initialize(type, obj);
      created.metadata.managedFields = recordUpdate([], {}, writableView(created, everything), ctx);
      return this.#store.write(type, created);
    }
    const next = this.#keepSystemMetadata(current, obj);
    this.#bumpGeneration(type, current, next);
    next.metadata.managedFields = recordUpdate(
      current.metadata.managedFields,
      writableView(current, everything),
      writableView(next, everything),
      ctx,
    );
    return sameContent(current, next) ? current : this.#store.write(type, next);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  #asVersion(obj: KubeObject, type: ResourceType, version: string): KubeObject {
    obj.apiVersion = joinApiVersion(type.group, version);
    return obj;
  }

  #ownership(type: ResourceType, opts: Pick<WriteOptions, 'manager' | 'version' | 'subresource'>) {
    const apiVersion = joinApiVersion(type.group, opts.version);
    return { manager: opts.manager, apiVersion, subresource: opts.subresource, time: timestamp() };
  }

  #existing(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const current = this.#store.get(type, namespace, name);
    if (!current) throw KubeError.notFound(type, name);
    return current;
  }

  /** Shape checks on a request body, plus Secret `stringData` folded into `data` (as kube-apiserver does). */
  #decode(type: ResourceType, namespace: string | undefined, body: unknown, version: string): KubeObject {
    if (!isMap(body)) throw KubeError.badRequest('the body of the request was in an unknown format');
    const obj = clone(body) as JsonMap;
    const expected = joinApiVersion(type.group, version);
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : expected;
    const kind = typeof obj.kind === 'string' ? obj.kind : type.kind;
    if (apiVersion !== expected) {
      throw KubeError.badRequest(
        `the API version in the data (${apiVersion}) does not match the expected API version (${expected})`,
      );
    }
    if (kind !== type.kind) {
      throw KubeError.badRequest(
        `the kind in the data (${kind}) does not match the expected kind (${type.kind})`,
      );
    }
    const metadata = isMap(obj.metadata) ? obj.metadata : {};
    if (type.namespaced) {
      if (metadata.namespace && namespace && metadata.namespace !== namespace) {
        throw KubeError.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace ?? metadata.namespace;
    } else delete metadata.namespace;
    const out = { ...obj, apiVersion, kind, metadata } as KubeObject;
    if (isCore(type, 'Secret')) foldStringData(out);
    return out;
  }

  #checkName(obj: KubeObject, name: string): void {
    if (obj.metadata.name && obj.metadata.name !== name) {
      throw KubeError.badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    obj.metadata.name = name;
  }

  /** Name rules, AlreadyExists and the NamespaceLifecycle admission plugin. */
  #admitCreate(type: ResourceType, obj: KubeObject): void {
    const name = obj.metadata.name ?? '';
    const causes = nameCauses(type, name);
    if (causes.length > 0) throw KubeError.invalid(type, name, causes);
    if (this.#store.get(type, obj.metadata.namespace, name)) throw KubeError.alreadyExists(type, name);
    if (type.namespaced) {
      const namespaces = this.#catalog.find('', 'v1', 'namespaces');
      const ns = namespaces && this.#store.get(namespaces, undefined, obj.metadata.namespace ?? '');
      if (namespaces && !ns) throw KubeError.notFound(namespaces, obj.metadata.namespace ?? '');
      if (ns?.metadata.deletionTimestamp) {
        throw new KubeError(
          403,
          'Forbidden',
          `${type.plural} "${name}" is forbidden: unable to create new content in namespace ${obj.metadata.namespace} because it is being terminated`,
        );
      }
    }
  }

  /** Server-set metadata and the defaults the tests rely on (Namespace phase Active, replicas 1, Secret type). */
  #initialize(type: ResourceType, obj: KubeObject): KubeObject {
    const { resourceVersion: _rv, deletionTimestamp: _dt, ...meta } = obj.metadata;
    obj.metadata = { ...meta, uid: randomUUID(), creationTimestamp: timestamp() };
    if (tracksGeneration(type)) obj.metadata.generation = 1;
    applyDefaults(type, obj);
    return obj;
  }

  #keepSystemMetadata(current: KubeObject, next: KubeObject): KubeObject {
    const m = current.metadata;
    next.metadata = {
      ...next.metadata,
      name: m.name,
      ...(m.namespace ? { namespace: m.namespace } : {}),
      uid: m.uid,
      creationTimestamp: m.creationTimestamp,
      ...(m.generation !== undefined ? { generation: m.generation } : {}),
      resourceVersion: m.resourceVersion,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
    };
    return next;
  }

  #bumpGeneration(type: ResourceType, current: KubeObject, next: KubeObject): void {
    if (!tracksGeneration(type)) {
      delete next.metadata.generation;
      return;
    }
    const generation = current.metadata.generation ?? 1;
    const changed = !deepEqual(generationView(current, type), generationView(next, type));
    next.metadata.generation = changed ? generation + 1 : generation;
  }

  /** PUT and patches: the status subresource split, then ownership and persistence. */
  #replace(type: ResourceType, current: KubeObject, obj: KubeObject, opts: WriteOptions): KubeObject {
    let next: KubeObject;
    if (opts.subresource === 'status') {
      next = clone(current);
      if (obj.status === undefined) delete next.status;
      else next.status = obj.status;
    } else {
      next = this.#keepSystemMetadata(current, obj);
      if (type.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = current.status;
      }
    }
    next.metadata.managedFields = recordUpdate(
      current.metadata.managedFields,
      writableView(current, type, opts.subresource),
      writableView(next, type, opts.subresource),
      this.#ownership(type, opts),
    );
    return this.#persist(type, current, next, opts);
  }

  #persist(
    type: ResourceType,
    current: KubeObject | undefined,
    next: KubeObject,
    opts: WriteOptions,
  ): KubeObject {
    if (current) {
      this.#keepSystemMetadata(current, next);
      this.#bumpGeneration(type, current, next);
    }
    this.#checkCustomResource(type, next, opts);
    if (type.group === CRD_GROUP && type.kind === 'CustomResourceDefinition') {
      const causes = validateCrd(next);
      if (causes.length > 0) throw KubeError.invalid(type, next.metadata.name ?? '', causes);
    }
    if (opts.dryRun) return this.#asVersion(next, type, opts.version);
    if (current && sameContent(current, next)) return this.#asVersion(current, type, opts.version);
    const stored = this.#store.write(type, next);
    if (current?.metadata.deletionTimestamp && (stored.metadata.finalizers ?? []).length === 0) {
      this.#store.remove(type, stored.metadata.namespace, stored.metadata.name ?? '');
    }
    return this.#asVersion(stored, type, opts.version);
  }

  /** A custom resource against its CRD's schema of the written version (schema.ts): pruned, or rejected. */
  #checkCustomResource(type: ResourceType, next: KubeObject, opts: WriteOptions): void {
    if (!type.crd) return;
    const crdType = this.#catalog.find(CRD_GROUP, 'v1', 'customresourcedefinitions');
    const crd = crdType && this.#store.get(crdType, undefined, type.crd);
    const spec = isMap(crd?.spec) ? crd.spec : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isMap) : [];
    const version = versions.find((v) => v.name === opts.version);
    const schema = isMap(version?.schema) ? version.schema.openAPIV3Schema : undefined;
    if (!isMap(schema)) return;
    const { unknown, causes } = checkSchema(next, schema);
    if (unknown.length > 0 && opts.fieldValidation === 'Strict') {
      throw KubeError.badRequest(
        `strict decoding error: ${unknown.map((path) => `unknown field "${path}"`).join(', ')}`,
      );
    }
    if (causes.length > 0) throw KubeError.invalid(type, next.metadata.name ?? '', causes);
  }

  /** Terminating (MODIFIED), then every object in the namespace is deleted, then the namespace itself. */
  #deleteNamespace(type: ResourceType, ns: KubeObject, version: string): KubeObject {
    const name = ns.metadata.name ?? '';
    ns.metadata.deletionTimestamp = timestamp();
    ns.status = { ...(isMap(ns.status) ? ns.status : {}), phase: 'Terminating' };
    const terminating = this.#store.write(type, ns);
    for (const t of this.#catalog.served().filter((s) => s.namespaced)) {
      for (const o of this.#store.list(t, name)) this.#store.remove(t, name, o.metadata.name ?? '');
    }
    this.#store.remove(type, undefined, name);
    return this.#asVersion(terminating, type, version);
  }
}
