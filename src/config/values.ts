import * as z from 'zod';

/** Small value schemas shared by several config sections. Each carries an example for error messages. */

/**
 * An http(s) URL that the HTTP client will take as a base: parsed as WHATWG URL, so a port out of range
 * or a broken host is caught here, with the key, rather than at the first request. Credentials, a query
 * and a fragment are refused (credentials belong in the secret keys, where they are masked; the value of
 * such a URL is never echoed). `apiSuffixes` refuses paths the client adds itself (Quay's `/api/v1`).
 * A trailing slash is dropped. (zod keeps examples only on the input side of a transform.)
 */
export function httpUrl(
  meta: { description: string; examples: string[] },
  apiSuffixes: readonly string[] = [],
) {
  return z
    .string()
    .superRefine((text, context) => {
      const problem = urlProblem(text, apiSuffixes);
      if (problem)
        context.addIssue({
          code: 'custom',
          message: problem.message,
          params: { hideValue: problem.hideValue },
        });
    })
    .meta(meta)
    .transform((url) => url.replace(/\/+$/, ''));
}

function urlProblem(
  text: string,
  apiSuffixes: readonly string[],
): { message: string; hideValue: boolean } | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1];
  if (scheme === undefined) return { message: 'an http(s) URL with scheme', hideValue: false };
  if (!['http', 'https'].includes(scheme.toLowerCase()))
    return { message: `scheme ${scheme}: is not http or https`, hideValue: false };
  const authority = text.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? '';
  if (authority.includes('@'))
    return {
      message:
        'a URL must not carry credentials (user:password@); put them in the token, username and password keys',
      hideValue: true,
    };
  const port = /:(\d+)$/.exec(authority)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
    return { message: `port ${port} is out of range (1-65535)`, hideValue: false };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { message: 'not a valid URL (check the host name and port)', hideValue: false };
  }
  if (url.hostname === '') return { message: 'a URL with a host name', hideValue: false };
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#'))
    return { message: 'a base URL without a query (?...) or fragment (#...)', hideValue: false };
  const path = url.pathname.replace(/\/+$/, '');
  const suffix = apiSuffixes.find((s) => path === s || path.endsWith(s));
  if (suffix !== undefined)
    return { message: `the base URL without ${suffix}, which is added to every call`, hideValue: false };
  return undefined;
}

/** Name of an entry of the shared `quay` section. */
export const instanceName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a lower-case name (letters, digits, hyphens)')
  .meta({ examples: ['primary'] });

/** Quay namespace (organization or user) names: Quay's own rule is ^[a-z0-9][._a-z0-9-]{1,254}$ (2–255 chars). */
export const namespaceName = z
  .string()
  .regex(/^[a-z0-9][._a-z0-9-]{1,254}$/, 'a Quay namespace name (lower-case, 2–255 chars: a-z 0-9 . _ -)')
  .meta({ examples: ['platform-team'] });

export const kubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes object name (lower-case DNS subdomain)')
  .max(253)
  .meta({ examples: ['quay-pull-secret'] });

export const presence = z
  .enum(['present', 'absent'])
  .default('present')
  .meta({
    description: 'present: make sure it exists; absent: make sure it does not',
    examples: ['present'],
  });

const DURATION_PATTERN = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** A duration as seconds (number) or a Go-style string like `90s`, `15m`, `1h30m`; parsed to seconds. */
export function durationSchema() {
  return z
    .union([
      z.number().int().positive(),
      z
        .string()
        .regex(DURATION_PATTERN, 'a duration like 90s, 15m or 1h30m')
        .refine((s) => s !== '', {
          message: 'a duration like 90s, 15m or 1h30m',
        }),
    ])
    .meta({ description: 'seconds, or a duration like 90s, 15m, 1h30m', examples: ['15m'] })
    .transform((value) => (typeof value === 'number' ? value : parseDurationSeconds(value)));
}

/** A duration with a default (in seconds). */
export function duration(defaultSeconds: number) {
  return durationSchema().default(defaultSeconds);
}

export function parseDurationSeconds(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const [, h = '0', m = '0', s = '0'] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s);
}

export const filePath = z
  .string()
  .min(1)
  .meta({ examples: ['/workspace/config/quay-config.yaml'] });

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  PiB: 2 ** 50,
};
const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s?(B|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)?$/;

/** A size in bytes: a whole number, or a number with a unit (`500MB`, `4GiB`, `1.5 TiB`); parsed to bytes. */
export function byteSize(meta: { description: string; examples: (string | number)[] }) {
  return z
    .union([
      z.number().int().positive(),
      z.string().regex(SIZE_PATTERN, 'a size like 500MB, 4GiB or 1.5TiB (or a whole number of bytes)'),
    ])
    .meta(meta)
    .transform((value) => (typeof value === 'number' ? value : parseByteSize(value)));
}

export function parseByteSize(text: string): number {
  const match = SIZE_PATTERN.exec(text);
  if (!match) throw new Error(`not a size: ${text}`);
  return Math.round(Number(match[1]) * (SIZE_UNITS[match[2] ?? ''] ?? 1));
}

/** Hosts Quay never sends a webhook to (notifications/notificationmethod.py HOSTNAME_BLACKLIST). */
const QUAY_REFUSED_WEBHOOK_HOSTS = ['localhost', '127.0.0.1'];

/** A URL Quay will POST notifications to: http(s), and not a host Quay refuses. */
export function webhookUrlSchema(meta: { description: string; examples: string[] }) {
  return httpUrl(meta).superRefine((url, context) => {
    if (QUAY_REFUSED_WEBHOOK_HOSTS.includes(new URL(url).hostname.toLowerCase()))
      context.addIssue({
        code: 'custom',
        message:
          'Quay refuses webhook hosts localhost and 127.0.0.1 (notifications/notificationmethod.py HOSTNAME_BLACKLIST); use a name or address Quay reaches',
      });
  });
}
