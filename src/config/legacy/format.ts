/**
 * The two generations of the original quay_guides config: HEAD's primary_/secondary_ keys and the older
 * source_/destination_ keys with bare host names. Their key lists say which keys are known, and a key of
 * either that is not also a native section marks a document as one of them.
 */
import { SECTION_NAMES } from '../document.js';

/** Which side of the original config a task works on: primary (source) or secondary (destination). */
export type LegacyRole = 'primary' | 'secondary';

export const HEAD_KEYS = new Set([
  'primary_server',
  'primary_token',
  'primary_quay_user',
  'primary_quay_password',
  'primary_init_token',
  'primary_quay_init_config',
  'primary_quay_namespace',
  'secondary_server',
  'secondary_token',
  'secondary_quay_user',
  'secondary_quay_password',
  'secondary_init_token',
  'secondary_quay_init_config',
  'secondary_quay_namespace',
  'secondary_quay_email',
  'failover',
  'initialize_username',
  'initialize_password',
  'initialize_email',
  'openshift_api_url',
  'openshift_username',
  'openshift_password',
  'openshift_yaml_dir',
  'organizations',
  'proxycache',
  'quay_admin_org',
  'repositories',
  'robot_config',
  'quay_secret_options',
]);

export const OLD_KEYS = new Set([
  'source_server',
  'source_token',
  'destination_server',
  'destination_token',
  'source_quay_user',
  'source_quay_password',
  'destination_quay_user',
  'destination_quay_password',
  'destination_quay_email',
  'quay_init_config',
  'init_token',
]);

/** A top-level key of the original format that is not also a native section (proxycache is both) marks it. */
export function isLegacyDocument(doc: Record<string, unknown>): boolean {
  const native: readonly string[] = SECTION_NAMES;
  return Object.keys(doc).some((key) => (HEAD_KEYS.has(key) || OLD_KEYS.has(key)) && !native.includes(key));
}
