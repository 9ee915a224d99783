/**
 * Namespace quotas (`data/model/namespacequota.py`, `data/model/quota.py`) and the two `bitmath` 1.3.3.1 calls
 * Quay makes on them (`endpoints/api/namespacequota.py`): `Byte(n).best_prefix().format("{value:.1f} {unit}")`
 * for the `limit` text, and `parse_string_unsafe(text).to_Byte().value` for a `limit` in a request.
 */
import type { JsonValue } from './formats.js';
import type { EmulatorState, OrgRecord, QuotaLimitRecord, QuotaRecord, RepoRecord } from './state.js';

const NIST_PREFIXES = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SI_PREFIXES = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** Python's `format(v, '.1f')`: correctly rounded, ties to even. */
function fixed1(v: number): string {
  const scaled = v * 10;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5) return ((floor % 2 === 0 ? floor : floor + 1) / 10).toFixed(1);
  return v.toFixed(1);
}

/** `bitmath.Byte(n).best_prefix().format("{value:.1f} {unit}")`: NIST prefixes, singular units. */
export function bitmathBestPrefix(bytes: number): string {
  if (bytes < 1) return `${fixed1(bytes * 8)} Bit`;
  const index = Math.trunc(Math.log(bytes) / Math.log(1024));
  if (index === 0) return `${fixed1(bytes)} Byte`;
  const prefix = index >= NIST_PREFIXES.length ? 'Ei' : (NIST_PREFIXES[index - 1] ?? 'Ei');
  const power = NIST_PREFIXES.indexOf(prefix) + 1;
  return `${fixed1(bytes / 1024 ** power)} ${prefix}B`;
}

/**
 * `bitmath.parse_string_unsafe(s)` (system SI) to bytes; undefined where bitmath raises ValueError. A plain
 * number is bytes; otherwise the unit after the number loses trailing `B`/`b` and gets one `B`: two letters are
 * SI (`K` read as `k`), three are NIST (`Ki`…`Ei`; `Zi`/`Yi` do not exist in 1.3.3), one (`B` alone) is refused.
 */
export function bitmathParse(text: string): number | undefined {
  const plain = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) return Number(plain);
  const index = [...text].findIndex((ch) => /\p{L}/u.test(ch));
  if (index < 0) return undefined;
  const valueText = text.slice(0, index).trim();
  let unit = `${text.slice(index).replace(/[Bb]+$/, '')}B`;
  let factor: number | undefined;
  if (unit.length === 2) {
    if (unit.startsWith('K')) unit = unit.replace('K', 'k');
    else if (!unit.startsWith('k')) unit = unit.charAt(0).toUpperCase() + unit.slice(1);
    const i = SI_PREFIXES.indexOf(unit.charAt(0));
    if (i >= 0 && unit.charAt(1) === 'B') factor = 1000 ** (i + 1);
  } else if (unit.length === 3) {
    unit = unit.charAt(0).toUpperCase() + unit.slice(1);
    const i = NIST_PREFIXES.indexOf(unit.slice(0, 2));
    if (i >= 0 && unit.charAt(2) === 'B') factor = 1024 ** (i + 1);
  }
  if (factor === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(valueText)) return undefined;
  return Number(valueText) * factor;
}

/** Distinct blobs referenced by the manifests of `repos`, summed (`get_namespace_total`/`get_repository_total`). */
function referencedBytes(repos: RepoRecord[], sizeOf: (digest: string) => number): number {
  const digests = new Set<string>();
  for (const repo of repos)
    for (const m of repo.manifests.values()) for (const d of m.blobDigests) digests.add(d);
  let total = 0;
  for (const d of digests) total += sizeOf(d);
  return total;
}

/**
 * The namespace's `QuotaNamespaceSize`: `size_bytes` and whether a row exists. Approximation (documented in
 * README.md): Quay keeps a running total updated on push and GC and a backfill; the emulator computes the
 * backfill's sum over every stored manifest (tags alive or not, as until GC) at once, and a namespace without
 * any manifest has no row yet ("waiting"). `seed.namespaceSize` sets the row directly.
 */
export function namespaceSize(
  state: EmulatorState,
  org: OrgRecord,
  sizeOf: (digest: string) => number,
): { sizeBytes: number; exists: boolean } {
  if (org.namespaceSizeBytes !== null) return { sizeBytes: org.namespaceSizeBytes, exists: true };
  const repos = [...state.repos.values()].filter((r) => r.namespace === org.name);
  const exists = repos.some((r) => r.manifests.size > 0);
  return { sizeBytes: exists ? referencedBytes(repos, sizeOf) : 0, exists };
}

export function repositorySize(repo: RepoRecord, sizeOf: (digest: string) => number): number {
  return referencedBytes([repo], sizeOf);
}

/** `fetch_system_default`: DEFAULT_SYSTEM_REJECT_QUOTA_BYTES when the namespace has no quota and it is set. */
function configuredQuota(org: OrgRecord, systemDefault: number): number | null {
  if (org.quota) return org.quota.limitBytes;
  return systemDefault !== 0 ? systemDefault : null;
}

/** `namespacequota.get_quota_for_view` (the org view's `quota_report`). */
export function quotaReport(
  state: EmulatorState,
  org: OrgRecord,
  systemDefault: number,
  sizeOf: (digest: string) => number,
): JsonValue {
  const size = namespaceSize(state, org, sizeOf);
  const status = size.exists ? 'complete' : 'waiting';
  return {
    quota_bytes: size.sizeBytes,
    configured_quota: configuredQuota(org, systemDefault),
    running_backfill: status,
    backfill_status: status,
  };
}

/** `limit_view` (both api/organization.py and api/namespacequota.py). */
export function limitView(limit: QuotaLimitRecord): JsonValue {
  return { id: limit.id, type: limit.type, limit_percent: limit.percentOfLimit };
}

/** `api/organization.py::quota_view`, inside the org view. */
export function orgQuotaView(quota: QuotaRecord): JsonValue {
  return { id: quota.id, limit_bytes: quota.limitBytes, limits: quota.limits.map(limitView) };
}

/** `api/namespacequota.py::quota_view`; `quota` null is the system default (id null, no limits). */
export function quotaView(
  quota: QuotaRecord | null,
  systemDefault: number,
  defaultConfig = false,
): JsonValue {
  const limitBytes = quota ? quota.limitBytes : systemDefault;
  return {
    id: quota ? quota.id : null,
    limit_bytes: limitBytes,
    limit: bitmathBestPrefix(limitBytes),
    default_config: defaultConfig,
    limits: quota ? quota.limits.map(limitView) : [],
    default_config_exists: systemDefault !== 0,
  };
}
