/**
 * Options of the emulator and their defaults. Feature defaults are Quay's own (quay-api.md §12), except where
 * noted; tests flip them per instance.
 */

export interface QuayFeatures {
  /** FEATURE_USER_INITIALIZE (Quay default false): `/api/v1/user/initialize` is a 404 unless on (§2). */
  userInitialize: boolean;
  /** FEATURE_PROXY_CACHE (default false): the proxy-cache endpoints are 404 unless on (§8). */
  proxyCache: boolean;
  /** FEATURE_SUPER_USERS (default true): superuser API and the `super:user` scope (§1.2, §4.5). */
  superUsers: boolean;
  /** FEATURE_ANONYMOUS_ACCESS (default true) (§1.4). */
  anonymousAccess: boolean;
  /** FEATURE_MAILING (default true): email required at user init; team adds become invites (§2, §6.2). */
  mailing: boolean;
  /** FEATURE_REQUIRE_TEAM_INVITE (default true) (§6.2). */
  requireTeamInvite: boolean;
  /** FEATURE_EXTENDED_REPOSITORY_NAMES (default true): nested `a/b` repository names (§7.1). */
  extendedRepositoryNames: boolean;
  /** FEATURE_GENERAL_OCI_SUPPORT (default true): OCI manifests and indexes (§11.4). */
  generalOciSupport: boolean;
  /** FEATURE_REFERRERS_API (default true) (§11.5). */
  referrersApi: boolean;
  /** FEATURE_SPARSE_INDEX (default false): index children need not be present (§11.4). */
  sparseIndex: boolean;
  /** FEATURE_SUPERUSERS_ORG_CREATION_ONLY (default false) (§4.1). */
  superusersOrgCreationOnly: boolean;
  /** FEATURE_PUBLIC_CATALOG (default false): anonymous `/v2/_catalog` lists public repos (§11.7). */
  publicCatalog: boolean;
  /** FEATURE_QUOTA_MANAGEMENT (default false): with editQuota, the quota API and the org view's quotas. */
  quotaManagement: boolean;
  /** FEATURE_EDIT_QUOTA (default true). */
  editQuota: boolean;
  /**
   * FEATURE_SUPERUSERS_FULL_ACCESS (default false): a superuser may act on other namespaces. Honoured by the
   * org view, teams, prototypes, notifications and quotas (quota writes need it: namespacequota.py).
   */
  superusersFullAccess: boolean;
  /** FEATURE_REPO_MIRROR (default false): `PUT …/changestate` (the endpoint is `show_if` it, a 404 otherwise). */
  repoMirror: boolean;
  /** FEATURE_IMMUTABLE_TAGS (default false): tag immutability through `PUT …/tag/{tag}`. */
  immutableTags: boolean;
}

export interface QuayEmulatorTls {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface QuayEmulatorOptions {
  features?: Partial<QuayFeatures>;
  /** Config `SUPER_USERS`. A superuser also needs a token with `super:user` (§1.2). */
  superUsers?: string[];
  /** Store blobs as files under this directory (streamed); default: in memory. */
  blobDir?: string;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; default 0 (any free port). */
  port?: number;
  tls?: QuayEmulatorTls;
  /** `SERVER_HOSTNAME`: JWT audience and `service` (§11.1). Default: `<host>:<port>` as listened on. */
  serverHostname?: string;
  /** `AUTHENTICATION_TYPE` (default `Database`); anything else makes user initialize answer 400 (§2). */
  authenticationType?: string;
  /** `CREATE_PRIVATE_REPO_ON_PUSH` (default true) (§11.2). */
  createPrivateRepoOnPush?: boolean;
  /** `CREATE_NAMESPACE_ON_PUSH` (default false) (§11.2). */
  createNamespaceOnPush?: boolean;
  /** `SSRF_ALLOWED_HOSTS`: hosts or CIDRs a proxy-cache upstream may use although private (§8). */
  ssrfAllowedHosts?: string[];
  /**
   * Resolves a proxy-cache upstream host name for the SSRF guard (§8). Return [] for "cannot resolve".
   * Default: never touches DNS; names ending in `.invalid` do not resolve, every other name resolves to a
   * public documentation address (so `docker.io` passes without network access).
   */
  resolveHost?: (host: string) => Promise<string[]>;
  /** `V2_PAGINATION_SIZE` (default 100): default page size of `/v2/.../tags/list` and `_catalog` (§11.7). */
  v2PaginationSize?: number;
  /** Start time of the emulated clock, epoch ms; default: the real time at start. */
  startTimeMs?: number;
  /**
   * Quay ≤ 3.17 (v3.17.4 endpoints/api/organization.py OrganizationList.post): with FEATURE_MAILING an
   * organization create without `email` is a 400 "Email address is required". Default false: the source
   * vendored in vendor/quay/ (3.18 line) only checks an email that is given.
   */
  orgCreateNeedsEmail?: boolean;
  /** `PREFERRED_URL_SCHEME` for the URLs Quay builds (notification `homepage`); default: the emulator's scheme. */
  preferredUrlScheme?: 'http' | 'https';
  /** `WEBHOOK_HOSTNAME_BLACKLIST`: added to Quay's fixed `localhost` and `127.0.0.1` (notificationmethod.py). */
  webhookHostnameBlacklist?: string[];
  /**
   * A hosts file for webhook deliveries only: a URL host listed here is connected to at the given address
   * (the Host header keeps the name). Quay refuses webhook hosts `localhost` and `127.0.0.1` literally but
   * applies no SSRF guard, so a test reaches a 127.0.0.1 listener through a name mapped here (or 127.0.0.2).
   * Names not listed are resolved by the system resolver.
   */
  webhookHosts?: Record<string, string>;
  /** Extra CA certificates trusted for https webhook URLs (Quay: its extra CA bundle); default Node's roots. */
  webhookCa?: string | Buffer | (string | Buffer)[];
  /** `NOTIFICATION_SEND_TIMEOUT` in seconds (default 10), per connect and per read as in `requests`. */
  notificationSendTimeoutS?: number;
  /** `DEFAULT_SYSTEM_REJECT_QUOTA_BYTES` (default 0: none). */
  defaultSystemRejectQuotaBytes?: number;
}

export interface ResolvedOptions {
  features: QuayFeatures;
  superUsers: string[];
  blobDir: string | undefined;
  host: string;
  port: number;
  tls: QuayEmulatorTls | undefined;
  serverHostname: string | undefined;
  authenticationType: string;
  createPrivateRepoOnPush: boolean;
  createNamespaceOnPush: boolean;
  ssrfAllowedHosts: string[];
  resolveHost: (host: string) => Promise<string[]>;
  v2PaginationSize: number;
  orgCreateNeedsEmail: boolean;
  startTimeMs: number | undefined;
  preferredUrlScheme: 'http' | 'https' | undefined;
  webhookHostnameBlacklist: string[];
  webhookHosts: Record<string, string>;
  webhookCa: string | Buffer | (string | Buffer)[] | undefined;
  notificationSendTimeoutS: number;
  defaultSystemRejectQuotaBytes: number;
}

export const DEFAULT_FEATURES: Readonly<QuayFeatures> = Object.freeze({
  userInitialize: false,
  proxyCache: false,
  superUsers: true,
  anonymousAccess: true,
  mailing: true,
  requireTeamInvite: true,
  extendedRepositoryNames: true,
  generalOciSupport: true,
  referrersApi: true,
  sparseIndex: false,
  superusersOrgCreationOnly: false,
  publicCatalog: false,
  quotaManagement: false,
  editQuota: true,
  superusersFullAccess: false,
  repoMirror: false,
  immutableTags: false,
});

/** TEST-NET-3 address: not in any range the emulated SSRF guard rejects (§8), never contacted. */
const OFFLINE_PUBLIC_ADDRESS = '203.0.113.10';

async function offlineResolve(host: string): Promise<string[]> {
  if (host.endsWith('.invalid')) return [];
  return [OFFLINE_PUBLIC_ADDRESS];
}

export function resolveOptions(opts: QuayEmulatorOptions = {}): ResolvedOptions {
  return {
    features: { ...DEFAULT_FEATURES, ...opts.features },
    superUsers: [...(opts.superUsers ?? [])],
    blobDir: opts.blobDir,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    tls: opts.tls,
    serverHostname: opts.serverHostname,
    authenticationType: opts.authenticationType ?? 'Database',
    createPrivateRepoOnPush: opts.createPrivateRepoOnPush ?? true,
    createNamespaceOnPush: opts.createNamespaceOnPush ?? false,
    ssrfAllowedHosts: [...(opts.ssrfAllowedHosts ?? [])],
    resolveHost: opts.resolveHost ?? offlineResolve,
    v2PaginationSize: opts.v2PaginationSize ?? 100,
    orgCreateNeedsEmail: opts.orgCreateNeedsEmail ?? false,
    startTimeMs: opts.startTimeMs,
    preferredUrlScheme: opts.preferredUrlScheme,
    webhookHostnameBlacklist: [...(opts.webhookHostnameBlacklist ?? [])],
    webhookHosts: { ...opts.webhookHosts },
    webhookCa: opts.webhookCa,
    notificationSendTimeoutS: opts.notificationSendTimeoutS ?? 10,
    defaultSystemRejectQuotaBytes: opts.defaultSystemRejectQuotaBytes ?? 0,
  };
}
