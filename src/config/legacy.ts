import { SECTION_NAMES } from './document.js';
import type { ConfigIssue } from './errors.js';
import { isMapping } from './merge.js';

/**
 * Reads config files of the original Python tools (stratus-ss/quay_guides) and translates them into the
 * native format. Two generations exist: HEAD's primary_/secondary_ keys and the older source_/destination_
 * keys with bare host names. Defects of the original are not carried over: empty values are simply absent
 * (not "missing"), the long-lived `*_token` is preferred over the 2.5 h `*_init_token`, and failover swaps
 * servers, credentials and tokens together.
 */
export type LegacyRole = 'primary' | 'secondary';

export interface LegacyTranslation {
  format: string;
  config: Record<string, unknown>;
  issues: ConfigIssue[];
  notices: string[];
}

const HEAD_KEYS = new Set([
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

const OLD_KEYS = new Set([
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

export function translateLegacy(doc: Record<string, unknown>, role: LegacyRole): LegacyTranslation {
  const isOld = Object.keys(doc).some((key) => OLD_KEYS.has(key));
  const issues: ConfigIssue[] = [];
  const notices: string[] = [];
  for (const key of Object.keys(doc)) {
    if (!HEAD_KEYS.has(key) && !OLD_KEYS.has(key)) {
      issues.push({ path: key, message: 'unknown key in a config of the original quay_guides format' });
    }
  }
  const v = (key: string): unknown => present(doc[key]);
  const s = (key: string): string | undefined =>
    typeof v(key) === 'string' ? (v(key) as string) : undefined;

  const config: Record<string, unknown> = {};
  const quay: Record<string, unknown> = {};
  if (isOld) {
    // The oldest generation used bare host names and one token per side.
    quay.primary = instance(
      withScheme(s('source_server')),
      v('source_token') ?? undefined,
      s('source_quay_user'),
      v('source_quay_password'),
    );
    quay.secondary = instance(
      withScheme(s('destination_server')),
      v('destination_token') ?? v('init_token'),
      s('destination_quay_user'),
      v('destination_quay_password'),
    );
  } else {
    for (const side of ['primary', 'secondary'] as const) {
      quay[side] = instance(
        s(`${side}_server`),
        v(`${side}_token`) ?? v(`${side}_init_token`),
        s(`${side}_quay_user`),
        v(`${side}_quay_password`),
      );
    }
  }
  for (const [name, entry] of Object.entries(quay)) if (entry === undefined) delete quay[name];
  if (Object.keys(quay).length > 0) config.quay = quay;

  const cluster = compact({
    server: v('openshift_api_url'),
    username: v('openshift_username'),
    password: v('openshift_password'),
  });
  if (cluster) config.cluster = cluster;

  const yamlDir = v('openshift_yaml_dir');
  if (yamlDir !== undefined) config['apply-ordered'] = { directory: yamlDir };

  const quayInit = translateQuayInit(doc, role, isOld, issues);
  if (quayInit) config['quay-init'] = quayInit;

  const roleUser = isOld
    ? s(role === 'primary' ? 'source_quay_user' : 'destination_quay_user')
    : s(`${role}_quay_user`);
  const robots = translateRobots(v('robot_config'), roleUser, issues);
  if (robots.length > 0) config['create-robots'] = { instance: role, robots };

  const caches = translateProxycache(v('proxycache'), issues);
  if (caches.length > 0) config.proxycache = { instance: role, caches };

  const mirror: Record<string, unknown> = {};
  const repositories = v('repositories');
  if (repositories !== undefined) mirror.repositories = repositories;
  if (isOld && v('failover') === true) mirror.failover = true;
  if (!isOld && doc.failover !== undefined)
    notices.push('key failover is not read (as in the original at HEAD): use --failover');
  if (Object.keys(mirror).length > 0 || (quay.primary && quay.secondary)) {
    config['mirror-repos'] = { source: 'primary', destinations: ['secondary'], ...mirror };
  }
  if (doc.secondary_quay_email !== undefined)
    notices.push('key secondary_quay_email is not used (nor was it by the original)');

  const format = isOld
    ? 'original quay_guides config (source/destination generation)'
    : 'original quay_guides config (primary/secondary)';
  return { format, config, issues, notices };
}

function translateQuayInit(
  doc: Record<string, unknown>,
  role: LegacyRole,
  isOld: boolean,
  issues: ConfigIssue[],
) {
  const v = (key: string): unknown => present(doc[key]);
  const out: Record<string, unknown> = { instance: role };
  const namespace = isOld ? undefined : v(`${role}_quay_namespace`);
  if (namespace !== undefined) out.namespace = namespace;
  const initialUser = isOld
    ? compact({
        username: v('destination_quay_user'),
        password: v('destination_quay_password'),
        email: v('destination_quay_email'),
      })
    : compact({
        username: v('initialize_username'),
        password: v('initialize_password'),
        email: v('initialize_email'),
      });
  if (initialUser) out.initialUser = initialUser;
  const adminOrg = v('quay_admin_org');
  if (adminOrg !== undefined) out.adminOrganization = adminOrg;
  const orgs = v('organizations');
  if (orgs !== undefined) {
    if (!isMapping(orgs))
      issues.push({
        path: 'organizations',
        message: 'expected a mapping of organization name to {present: true|false}',
      });
    else {
      out.organizations = Object.entries(orgs).map(([name, spec]) => ({
        name,
        state: isMapping(spec) && (spec.present === false || spec.present === 'false') ? 'absent' : 'present',
      }));
    }
  }
  const secretOptions = v('quay_secret_options');
  if (isMapping(secretOptions) && Array.isArray(secretOptions.super_users))
    out.superUsers = secretOptions.super_users;
  const roleUser = isOld ? undefined : v(`${role}_quay_user`);
  if (roleUser !== undefined) out.takeOwnership = { users: [roleUser] };
  const bundle = isOld ? v('quay_init_config') : v(`${role}_quay_init_config`);
  if (bundle !== undefined) out.configBundle = { file: bundle };
  return Object.keys(out).length > 1 ? out : undefined;
}

function translateRobots(value: unknown, roleUser: string | undefined, issues: ConfigIssue[]): unknown[] {
  if (value === undefined) return [];
  if (!isMapping(value)) {
    issues.push({ path: 'robot_config', message: 'expected a mapping of label to {type, name, org_name}' });
    return [];
  }
  return Object.entries(value).map(([label, spec]) => {
    if (!isMapping(spec)) return { name: label };
    if (spec.type === 'personal') {
      if (!roleUser)
        issues.push({
          path: `robot_config.${label}`,
          message: 'a personal robot needs <role>_quay_user to name its user',
        });
      return { name: spec.name, user: roleUser };
    }
    return { name: spec.name, organization: spec.org_name };
  });
}

function translateProxycache(value: unknown, issues: ConfigIssue[]): unknown[] {
  if (value === undefined) return [];
  if (!isMapping(value)) {
    issues.push({
      path: 'proxycache',
      message: 'expected a mapping of label to {org_name, upstream_registry, ...}',
    });
    return [];
  }
  return Object.values(value).map((spec) => {
    if (!isMapping(spec)) return spec;
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

function instance(url: string | undefined, token: unknown, username: string | undefined, password: unknown) {
  if (url === undefined) return undefined;
  return compact({ url, token, username, password }) ?? { url };
}

function withScheme(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  return /^https?:\/\//.test(host) ? host : `https://${host.replace(/\/+$/, '')}`;
}

/** The original treated empty strings, empty lists and null as "not set"; so do we, without its falsy-false bug. */
function present(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

function compact(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (present(value) !== undefined) out[key] = value;
  return Object.keys(out).length > 0 ? out : undefined;
}
