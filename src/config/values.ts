import * as z from 'zod';

/** Small value schemas shared by several config sections. Each carries an example for error messages. */

/** An http(s) URL; a trailing slash is dropped. (zod keeps examples only on the input side of a transform.) */
export function httpUrl(meta: { description: string; examples: string[] }) {
  return z
    .string()
    .regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'an http(s) URL with scheme')
    .meta(meta)
    .transform((url) => url.replace(/\/+$/, ''));
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
