/**
 * Quay emulator: an HTTP server that answers like Red Hat Quay's `/api/v1` and `/v2` (contract:
 * /work/shared/docs/quay-api.md), for tests and the demo.
 *
 *   const quay = await startQuayEmulator({ features: { proxyCache: true }, superUsers: ['admin'] });
 *   const admin = quay.seed.userWithToken('admin');
 *   await fetch(`${quay.url}/api/v1/user/`, { headers: { authorization: `Bearer ${admin.token}` } });
 *   await quay.close();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBlobStore } from './blob-store.js';
import { Clock } from './clock.js';
import type { Runtime } from './context.js';
import { FaultInjector } from './faults.js';
import type { JsonValue } from './formats.js';
import { type NotificationDelivery, NotificationWorker } from './notifications.js';
import { type QuayEmulatorOptions, type QuayFeatures, resolveOptions } from './options.js';
import { PageTokens } from './paging.js';
import { Permissions } from './permissions.js';
import { RegistryJwt } from './registry-jwt.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { Seeder } from './seed.js';
import { buildRouter, createNodeServer, createRequestHandler } from './server.js';
import { EmulatorState, repoKey } from './state.js';
import { UploadSessions } from './uploads.js';

export type { FaultAction, FaultHandle, FaultRule } from './faults.js';
export { FaultInjector } from './faults.js';
export type { NotificationDelivery } from './notifications.js';
export type { QuayEmulatorOptions, QuayFeatures } from './options.js';
export type { AuthKind, RequestAuth, RequestLogEntry } from './request-log.js';
export { ALL_SCOPES, type PushedImage, type PushImageOptions, type SeededUser, Seeder } from './seed.js';
export type {
  ManifestRecord,
  NotificationRecord,
  OrgRecord,
  PrototypeRecord,
  QuotaRecord,
  RepoRecord,
  RobotRecord,
  TagRow,
  TeamRecord,
  UserRecord,
} from './state.js';
export { EmulatorState } from './state.js';

/** The notification worker, for tests (notifications.ts). */
export interface QuayNotifications {
  /**
   * Works every queued job that is due (emulated clock) — delivering webhooks — and resolves once none is left
   * and none is in flight, with the deliveries made since the previous `settle()`. Failed jobs come back 30
   * emulated seconds later: `quay.advanceTime(30)` then `settle()` again.
   */
  settle(): Promise<NotificationDelivery[]>;
  /** Every delivery so far, oldest first. */
  readonly deliveries: readonly NotificationDelivery[];
  /** Jobs not finished (due now or waiting for a retry). */
  readonly pending: number;
  /** `spawn_notification` for a repository (`ns/name`) as a push would; returns the number of jobs queued. */
  spawn(path: string, event: string, extraData?: { [key: string]: JsonValue }): number;
}

export interface QuayEmulator {
  /** `http(s)://<host>:<port>` */
  readonly url: string;
  /** `<host>:<port>`: also SERVER_HOSTNAME unless overridden, i.e. the registry `service` and image host. */
  readonly host: string;
  readonly serverHostname: string;
  readonly state: EmulatorState;
  /** Every request received, in order (no credentials, see request-log.ts). Clear with `requests.length = 0`. */
  readonly requests: RequestLogEntry[];
  readonly faults: FaultInjector;
  /** Feature flags, live: tests may flip them between requests. */
  readonly features: QuayFeatures;
  readonly seed: Seeder;
  readonly notifications: QuayNotifications;
  /** Moves the emulated clock (token expiry, temporary tags, page tokens) without sleeping. */
  advanceTime(seconds: number): void;
  /** Switches AUTHENTICATION_TYPE live, as a restarted Quay picks up a new config bundle (§2). */
  setAuthenticationType(type: string): void;
  /** Runs the namespace GC: names of deleted orgs become free again (§4.1). */
  purgeDeletedNamespaces(): void;
  /** Unexpected exceptions handlers threw (answered 500). A healthy test leaves this empty. */
  readonly internalErrors: Error[];
  /** The request log filtered by method and/or path (exact, or RegExp). */
  requestsTo(filter: { method?: string; path?: string | RegExp }): RequestLogEntry[];
  /** Resolves with the first request received (or to come) that matches the filter. */
  waitForRequest(filter: { method?: string; path?: string | RegExp }): Promise<RequestLogEntry>;
  close(): Promise<void>;
}

export async function startQuayEmulator(opts: QuayEmulatorOptions = {}): Promise<QuayEmulator> {
  const options = resolveOptions(opts);
  const clock = new Clock(options.startTimeMs);
  const state = new EmulatorState(clock, options.superUsers);
  const blobs = await createBlobStore(options.blobDir);
  const rt: Runtime = {
    state,
    options,
    clock,
    perms: new Permissions(state, options.features),
    blobs,
    uploads: new UploadSessions(blobs),
    jwt: new RegistryJwt(clock),
    pageTokens: new PageTokens(clock),
    notifications: undefined as unknown as NotificationWorker,
    scheme: options.tls ? 'https' : 'http',
    serverHostname: options.serverHostname ?? '',
    internalErrors: [],
  };
  rt.notifications = new NotificationWorker(rt);
  const worker = rt.notifications;
  const log = new RequestLog();
  const faults = new FaultInjector();
  const server: Server = createNodeServer(rt, createRequestHandler(rt, buildRouter(rt), log, faults));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const host = `${hostForUrl}:${address.port}`;
  if (!options.serverHostname) rt.serverHostname = host;
  let closed = false;
  return {
    url: `${rt.scheme}://${host}`,
    host,
    serverHostname: rt.serverHostname,
    state,
    requests: log.entries,
    faults,
    features: options.features,
    seed: new Seeder(state, blobs),
    notifications: {
      settle: () => worker.settle(),
      get deliveries() {
        return worker.deliveries;
      },
      get pending() {
        return worker.pending;
      },
      spawn: (path, event, extraData = {}) => {
        const i = path.indexOf('/');
        const repo = state.repos.get(repoKey(path.slice(0, i), path.slice(i + 1)));
        if (!repo) throw new Error(`notifications.spawn: no repository ${path}`);
        const queued = worker.spawn(repo, event, extraData);
        worker.kick();
        return queued;
      },
    },
    advanceTime: (seconds) => clock.advanceSeconds(seconds),
    setAuthenticationType: (type) => {
      options.authenticationType = type;
    },
    purgeDeletedNamespaces: () => state.purgeDeletedNamespaces(),
    internalErrors: rt.internalErrors,
    requestsTo: (filter) => log.entries.filter(requestFilter(filter)),
    waitForRequest: (filter) => log.waitFor(requestFilter(filter)),
    close: async () => {
      if (closed) return;
      closed = true;
      await worker.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rt.uploads.closeAll();
      await blobs.close();
    },
  };
}

function requestFilter({ method, path }: { method?: string; path?: string | RegExp }) {
  return (e: RequestLogEntry) =>
    (!method || e.method === method.toUpperCase()) &&
    (path === undefined || (path instanceof RegExp ? path.test(e.path) : e.path === path));
}
