/**
 * The proxycache section from the original format's `proxycache` mapping, field by field (`org_name` →
 * `organization`, ...), each with the original key it is read from.
 */
import { verbatim } from '../../secrets/redactor.js';
import type { ConfigIssue } from '../errors.js';
import { isMapping } from '../merge.js';
import { compact, present, wrongType } from './values.js';

const PROXYCACHE_FIELDS: Record<string, string> = {
  org_name: 'organization',
  upstream_registry: 'upstreamRegistry',
  upstream_registry_username: 'username',
  upstream_registry_password: 'password',
  expiration_s: 'expirationSeconds',
  insecure: 'insecure',
};

export function translateProxycache(
  value: unknown,
  issues: ConfigIssue[],
  origins: Map<string, string>,
): unknown[] {
  origins.set('proxycache.caches', 'proxycache');
  if (value === undefined) return [];
  if (!isMapping(value)) {
    issues.push({
      ...wrongType('proxycache', value, 'a mapping of label to {org_name, upstream_registry, ...}', ''),
      example: 'proxycache: {org1: {org_name: cache-quay, upstream_registry: quay.io}}',
    });
    return [];
  }
  return Object.entries(value).map(([label, spec], i) => {
    const at = `proxycache.${label}`;
    origins.set(`proxycache.caches[${i}]`, at);
    for (const [original, native] of Object.entries(PROXYCACHE_FIELDS))
      origins.set(`proxycache.caches[${i}].${native}`, `${at}.${original}`);
    if (!isMapping(spec)) return spec;
    for (const key of Object.keys(spec))
      if (!(key in PROXYCACHE_FIELDS))
        issues.push({
          path: `${at}.${key}`,
          original: `${at}.${key}`,
          message: verbatim('unknown key in a proxy cache of the original format'),
          expected: `one of: ${Object.keys(PROXYCACHE_FIELDS).join(', ')}`,
        });
    return compact({
      organization: spec.org_name,
      upstreamRegistry: spec.upstream_registry,
      username: present(spec.upstream_registry_username),
      password: present(spec.upstream_registry_password),
      expirationSeconds: spec.expiration_s,
      insecure: spec.insecure,
    });
  });
}
