/**
 * Kubernetes API server emulator for tests that drive the real kubectl (local-infra.md §6).
 *
 *   const kube = await startKubeEmulator({ crds: OPENSHIFT_CRDS });
 *   await kubectl(kube, ['apply', '--server-side', '--field-manager=quay-tasks', '-f', '-'], { input: yaml });
 *   kube.setCondition({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'demo', name: 'web' },
 *     { type: 'Available', status: 'True' });
 *   await kube.close();
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl, type AccessRule, type FaultRule } from './access.js';
import { ResourceCatalog } from './catalog.js';
import { CRD_GROUP, type CrdDefinition, crdManifest, establishedStatus } from './crd.js';
import { API_SERVER_MANAGER, CrdController } from './crd-controller.js';
import { type ApplyHook, type ChangeHook, Hooks } from './hooks.js';
import { isMap, mergePatch } from './json.js';
import { writeKubeconfig } from './kubeconfig.js';
import { type KubeObject, type ObjectRef, type ResourceType, splitApiVersion, timestamp } from './model.js';
import { ObjectService } from './objects.js';
import { matchesFilter, type RequestFilter, type RequestLogEntry } from './request-log.js';
import { Scheduler } from './scheduler.js';
import { createNodeServer, createRequestHandler, type Runtime, type ServerVersion } from './server.js';
import { ObjectStore } from './store.js';
import { EMULATOR_TLS_CERT, EMULATOR_TLS_KEY } from './tls-fixture.js';
import { type WatchFilter, WatchHub } from './watch.js';

export type { AccessRule, FaultRule } from './access.js';
export { type CrdDefinition, crdManifest } from './crd.js';
export type { StatusObject } from './errors.js';
export { KUBECTL, type KubectlResult, kubectl, spawnKubectl } from './kubectl.js';
export type { KubeObject, ObjectMeta, ObjectRef } from './model.js';
export { OPENSHIFT_CRDS } from './presets.js';
export type { RequestFilter, RequestLogEntry } from './request-log.js';
export type { WatchFilter } from './watch.js';

/** The field manager of writes made through this API. */
export const TEST_MANAGER = 'kube-emulator';

export interface KubeEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /**
   * Default true: HTTPS with the built-in test certificate (tls-fixture.ts), whose CA goes into the kubeconfig.
   * kubectl sends no bearer token to an `http://` server, so token checks need TLS (README.md).
   */
  tls?: boolean | { cert: string; key: string; ca?: string };
  /** The token in the kubeconfig. Default: a random one. */
  token?: string;
  /**
   * Answer 401 to requests without that token. Default: true with TLS, false without (kubectl would send none).
   * `/version` and the health checks stay open.
   */
  requireToken?: boolean;
  /** The identity in 403 messages and `kubectl auth whoami`. Default `kube:admin`. */
  user?: string;
  groups?: string[];
  /** Default `1.32`: the gcloud kubectl dispatcher then runs kubectl 1.32 (local-infra.md §6.1). */
  serverVersion?: Partial<ServerVersion>;
  /** Default `aggregated` (when the client asks for it). */
  discovery?: 'aggregated' | 'legacy';
  /** Default true: a created CRD becomes Established right after the request. False: call `establishCrd`. */
  autoEstablishCrds?: boolean;
  /** CRDs present and Established from the start. */
  crds?: readonly CrdDefinition[];
  /** Default `default`, `kube-system`, `kube-public`, `kube-node-lease`. */
  namespaces?: readonly string[];
  /** Objects present from the start (after `crds` and `namespaces`). */
  objects?: readonly KubeObject[];
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

export interface KubeEmulator {
  /** `http(s)://127.0.0.1:<port>` */
  readonly url: string;
  readonly token: string;
  /** A kubeconfig (0600) for `url` with the token; current namespace `default`. */
  readonly kubeconfigPath: string;
  /** A fresh kubectl cache folder: discovery is cached per host:port (local-infra.md §6.4). */
  readonly cacheDir: string;
  /** With TLS: the CA file (PEM) for `--certificate-authority`. */
  readonly caPath: string | undefined;
  /** Environment for a kubectl child: KUBECONFIG, KUBECACHEDIR, HOME (all inside the emulator's temp folder). */
  readonly env: Record<string, string>;
  /** Every request, in order (tokens never recorded). Clear with `requests.length = 0`. */
  readonly requests: RequestLogEntry[];
  /** Exceptions from handlers (answered 500) and from hooks. A healthy test leaves this empty. */
  readonly internalErrors: Error[];
  /** The store's current resourceVersion. */
  readonly resourceVersion: number;
  requireToken: boolean;
  autoEstablishCrds: boolean;

  get(ref: ObjectRef): KubeObject | undefined;
  list(apiVersion: string, kind: string, namespace?: string): KubeObject[];
  /** Creates or replaces the whole object, status included (no admission checks); emits ADDED/MODIFIED. */
  set(object: KubeObject): KubeObject;
  /** JSON merge patch of the whole object, status included. */
  merge(ref: ObjectRef, patch: Record<string, unknown>): KubeObject;
  /** Replaces `status`; emits MODIFIED to watchers. */
  setStatus(ref: ObjectRef, status: Record<string, unknown>): KubeObject;
  /** Adds or updates one entry of `status.conditions` (by type), keeping the rest of the status. */
  setCondition(ref: ObjectRef, condition: Condition): KubeObject;
  /** Deletes like the API does (finalizers honoured: then only `deletionTimestamp` is set). */
  delete(ref: ObjectRef): KubeObject | undefined;
  /** Creates a CRD (Established unless `established: false`). */
  defineCrd(definition: CrdDefinition, opts?: { established?: boolean }): KubeObject;
  /** Marks a CRD Established and serves its kind. */
  establishCrd(name: string): KubeObject;

  /** Runs `fn` after each successful server-side apply of `kind` (`Subscription` or `operators.coreos.com/Subscription`). */
  onApply(kind: string, fn: ApplyHook<KubeEmulator>): () => void;
  /** Runs `fn` after every ADDED/MODIFIED/DELETED of `kind`, from any source. */
  onChange(kind: string, fn: ChangeHook<KubeEmulator>): () => void;
  /** Resolves when all hook runs and CRD establishments have finished. */
  settled(): Promise<void>;
  /** Resolves when a matching watch is open (e.g. `kubectl get -w` or `kubectl wait` is listening). */
  whenWatching(filter?: WatchFilter): Promise<void>;
  /** Like `whenWatching`, but only for a watch opened from now on. */
  nextWatch(filter?: WatchFilter): Promise<void>;
  /** Ends every open watch stream. */
  closeWatches(): void;
  /** Resolves with the object once `predicate` holds for it (checked now and after every change). */
  waitFor(ref: ObjectRef, predicate: (object: KubeObject) => boolean): Promise<KubeObject>;

  requestsTo(filter: RequestFilter): RequestLogEntry[];
  requestCount(filter?: RequestFilter): number;
  /** Answer 403 (RBAC wording) to matching requests until the returned function is called. */
  forbid(rule: AccessRule): () => void;
  /** Fail the next `times` (default 1) matching resource requests with `code`. */
  failNext(rule: FaultRule): () => void;
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startKubeEmulator(opts: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const tlsOption = opts.tls ?? true;
  const tls =
    tlsOption === true ? { cert: EMULATOR_TLS_CERT, key: EMULATOR_TLS_KEY } : tlsOption || undefined;
  const token = opts.token ?? `kube-emulator-${Math.random().toString(36).slice(2)}`;
  const internalErrors: Error[] = [];
  const scheduler = new Scheduler(internalErrors);
  const store = new ObjectStore();
  const catalog = new ResourceCatalog();
  const objects = new ObjectService(store, catalog);
  const crds = new CrdController(store, catalog, objects, {
    autoEstablish: opts.autoEstablishCrds ?? true,
    track: (work) => scheduler.run(work),
  });
  const hooks = new Hooks<KubeEmulator>(scheduler, store);
  const watches = new WatchHub(store);
  const access = new AccessControl({
    token,
    requireToken: opts.requireToken ?? tls !== undefined,
    user: opts.user ?? 'kube:admin',
    groups: opts.groups ?? ['system:authenticated', 'system:cluster-admins'],
  });
  const log: RequestLogEntry[] = [];
  let address = '';
  const rt: Runtime = {
    catalog,
    objects,
    watches,
    access,
    hooks,
    log,
    internalErrors,
    serverVersion: { major: '1', minor: '32', gitVersion: 'v1.32.0', ...opts.serverVersion },
    discovery: opts.discovery ?? 'aggregated',
    address: () => address,
  };

  const typeOf = (apiVersion: string, kind: string): ResourceType => {
    const { group, version } = splitApiVersion(apiVersion);
    const type = catalog.findKind(group, version, kind);
    if (!type) {
      throw new Error(
        `kube-emulator: kind ${kind} in ${apiVersion} is not served (CRD missing or not Established?)`,
      );
    }
    return type;
  };
  const mustGet = (ref: ObjectRef): { type: ResourceType; object: KubeObject } => {
    const type = typeOf(ref.apiVersion, ref.kind);
    const object = store.get(type, type.namespaced ? ref.namespace : undefined, ref.name);
    if (!object) {
      throw new Error(
        `kube-emulator: ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name} not found`,
      );
    }
    return { type, object };
  };
  const crdType = typeOf(`${CRD_GROUP}/v1`, 'CustomResourceDefinition');
  const namespaceType = typeOf('v1', 'Namespace');

  for (const name of opts.namespaces ?? DEFAULT_NAMESPACES) {
    objects.put(
      namespaceType,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
      API_SERVER_MANAGER,
    );
  }
  const defineCrd = (definition: CrdDefinition, established: boolean) => {
    const manifest = crdManifest(definition);
    return objects.put(
      crdType,
      established ? { ...manifest, status: establishedStatus(manifest) } : manifest,
      TEST_MANAGER,
    );
  };
  for (const definition of opts.crds ?? []) defineCrd(definition, true);
  for (const object of opts.objects ?? [])
    objects.put(typeOf(object.apiVersion, object.kind), object, TEST_MANAGER);

  const server: Server = createNodeServer(createRequestHandler(rt), tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  address = `${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
  const url = `${tls ? 'https' : 'http'}://${address}`;
  const caPem = tls ? ((typeof tlsOption === 'object' ? tlsOption.ca : undefined) ?? tls.cert) : undefined;
  let caPath: string | undefined;
  if (caPem) {
    caPath = join(dir, 'ca.crt');
    writeFileSync(caPath, caPem);
  }
  const kubeconfigPath = writeKubeconfig(dir, url, token, caPem);
  const cacheDir = join(dir, 'cache');
  let closed = false;

  const kube: KubeEmulator = {
    url,
    token,
    kubeconfigPath,
    cacheDir,
    caPath,
    env: { KUBECONFIG: kubeconfigPath, KUBECACHEDIR: cacheDir, HOME: dir },
    requests: log,
    internalErrors,
    get resourceVersion() {
      return store.resourceVersion;
    },
    get requireToken() {
      return access.requireToken;
    },
    set requireToken(value: boolean) {
      access.requireToken = value;
    },
    get autoEstablishCrds() {
      return crds.autoEstablish;
    },
    set autoEstablishCrds(value: boolean) {
      crds.autoEstablish = value;
    },
    get(ref) {
      const type = typeOf(ref.apiVersion, ref.kind);
      return store.get(type, type.namespaced ? ref.namespace : undefined, ref.name);
    },
    list: (apiVersion, kind, namespace) => store.list(typeOf(apiVersion, kind), namespace),
    set: (object) => objects.put(typeOf(object.apiVersion, object.kind), object, TEST_MANAGER),
    merge(ref, patch) {
      const { type, object } = mustGet(ref);
      return objects.put(type, mergePatch(object, patch) as KubeObject, TEST_MANAGER);
    },
    setStatus(ref, status) {
      const { type, object } = mustGet(ref);
      return objects.put(type, { ...object, status }, TEST_MANAGER);
    },
    setCondition(ref, condition) {
      const { type, object } = mustGet(ref);
      const status = isMap(object.status) ? object.status : {};
      const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter(isMap);
      const old = conditions.find((c) => c.type === condition.type);
      const changed = !old || old.status !== condition.status;
      const next = {
        ...condition,
        lastTransitionTime: changed ? timestamp() : old.lastTransitionTime,
      };
      const rest = conditions.filter((c) => c !== old);
      return objects.put(
        type,
        { ...object, status: { ...status, conditions: [...rest, next] } },
        TEST_MANAGER,
      );
    },
    delete(ref) {
      const type = typeOf(ref.apiVersion, ref.kind);
      const namespace = type.namespaced ? ref.namespace : undefined;
      if (!store.get(type, namespace, ref.name)) return undefined;
      return objects.delete(type, namespace, ref.name, { version: splitApiVersion(ref.apiVersion).version });
    },
    defineCrd: (definition, o = {}) => defineCrd(definition, o.established ?? true),
    establishCrd: (name) => crds.establish(name),
    onApply: (kind, fn) => hooks.onApply(kind, fn),
    onChange: (kind, fn) => hooks.onChange(kind, fn),
    settled: () => scheduler.settled(),
    whenWatching: (filter) => watches.whenWatching(filter),
    nextWatch: (filter) => watches.nextWatch(filter),
    closeWatches: () => watches.closeAll(),
    waitFor(ref, predicate) {
      const type = typeOf(ref.apiVersion, ref.kind);
      const namespace = type.namespaced ? ref.namespace : undefined;
      const now = store.get(type, namespace, ref.name);
      if (now && predicate(now)) return Promise.resolve(now);
      return new Promise((resolve) => {
        const unsubscribe = store.subscribe((e) => {
          const o = e.object;
          if (e.type === 'DELETED' || e.resource.plural !== type.plural || e.resource.group !== type.group)
            return;
          if (o.metadata.name !== ref.name || o.metadata.namespace !== namespace || !predicate(o)) return;
          unsubscribe();
          resolve(o);
        });
      });
    },
    requestsTo: (filter) => log.filter((e) => matchesFilter(e, filter)),
    requestCount: (filter = {}) => log.filter((e) => matchesFilter(e, filter)).length,
    forbid: (rule) => access.deny(rule),
    failNext: (rule) => access.failNext(rule),
    async close() {
      if (closed) return;
      closed = true;
      watches.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await scheduler.settled();
      removeDir();
      process.off('exit', removeDir);
    },
  };
  hooks.bind(kube);
  return kube;
}
