/** What every handler receives: the shared runtime and the request being answered. */
import type { IncomingMessage } from 'node:http';
import type { BlobStore } from './blob-store.js';
import type { Clock } from './clock.js';
import type { NotificationWorker } from './notifications.js';
import type { ResolvedOptions } from './options.js';
import type { PageTokens } from './paging.js';
import type { Permissions, Principal } from './permissions.js';
import type { RegistryJwt } from './registry-jwt.js';
import type { RequestLogEntry } from './request-log.js';
import type { EmulatorState } from './state.js';
import type { UploadSessions } from './uploads.js';

export interface Runtime {
  readonly state: EmulatorState;
  readonly options: ResolvedOptions;
  readonly clock: Clock;
  readonly perms: Permissions;
  readonly blobs: BlobStore;
  readonly uploads: UploadSessions;
  readonly jwt: RegistryJwt;
  readonly pageTokens: PageTokens;
  /** The notification queue and worker (notifications.ts); set right after the runtime is made. */
  notifications: NotificationWorker;
  readonly scheme: 'http' | 'https';
  /** `SERVER_HOSTNAME`; known once the server listens. */
  serverHostname: string;
  /** Unexpected exceptions raised by handlers (answered 500); tests may assert it stays empty. */
  readonly internalErrors: Error[];
}

export interface RequestContext {
  readonly rt: Runtime;
  readonly req: IncomingMessage;
  readonly method: string;
  readonly url: URL;
  /** `<scheme>://<Host header>`: Quay builds `type` URLs of shape-A errors from the request (§1.3). */
  readonly baseUrl: string;
  /** The API caller, resolved before the handler runs (anonymous for web and registry routes). */
  caller: Principal;
  readonly log: RequestLogEntry;
}

/** `<scheme>://<SERVER_HOSTNAME>`: the base of the URLs Quay builds itself (realm, Location). */
export function publicBase(rt: Runtime): string {
  return `${rt.scheme}://${rt.serverHostname}`;
}
