import { message, verbatim } from '../secrets/redactor.js';
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
  /** Native key path → the original key it is read from (also for keys the file leaves out). */
  origins: Map<string, string>;
  /** Entry of `quay` → the original key of its server URL (`primary` → `primary_server`). */
  servers: Map<string, string>;
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
  const origins = new Map<string, string>();
  const servers = new Map<string, string>();
  for (const key of Object.keys(doc)) {
    if (!HEAD_KEYS.has(key) && !OLD_KEYS.has(key)) {
      issues.push({
        path: key,
        original: key,
        message: verbatim('unknown key in a config of the original quay_guides format'),
      });
    }
  }
  const v = (key: string): unknown => present(doc[key]);
  // A value of the wrong type is passed on as it is: the native check then names the key and the type.
  const s = (key: string): unknown => v(key);

  const config: Record<string, unknown> = {};
  const quay: Record<string, unknown> = {};
  const sides = isOld
    ? ([
        ['primary', 'source_server', ['source_token'], 'source_quay_user', 'source_quay_password'],
        [
          'secondary',
          'destination_server',
          ['destination_token', 'init_token'],
          'destination_quay_user',
          'destination_quay_password',
        ],
      ] as const)
    : (['primary', 'secondary'] as const).map(
        (side) =>
          [
            side,
            `${side}_server`,
            [`${side}_token`, `${side}_init_token`],
            `${side}_quay_user`,
            `${side}_quay_password`,
          ] as const,
      );
  for (const [side, serverKey, tokenKeys, userKey, passwordKey] of sides) {
    // The oldest generation used bare host names and one token per side.
    const server = isOld ? withScheme(s(serverKey)) : s(serverKey);
    const tokenKey = tokenKeys.find((key) => v(key) !== undefined) ?? tokenKeys[0];
    quay[side] = instance(server, v(tokenKey), s(userKey), v(passwordKey));
    servers.set(side, serverKey);
    origins.set(`quay.${side}`, serverKey);
    origins.set(`quay.${side}.url`, serverKey);
    origins.set(`quay.${side}.token`, tokenKey);
    origins.set(`quay.${side}.username`, userKey);
    origins.set(`quay.${side}.password`, passwordKey);
  }
  for (const [name, entry] of Object.entries(quay)) if (entry === undefined) delete quay[name];
  if (Object.keys(quay).length > 0) config.quay = quay;

  const cluster = compact({
    server: v('openshift_api_url'),
    username: v('openshift_username'),
    password: v('openshift_password'),
  });
  if (cluster) config.cluster = cluster;
  origins.set('cluster.server', 'openshift_api_url');
  origins.set('cluster.username', 'openshift_username');
  origins.set('cluster.password', 'openshift_password');

  const yamlDir = v('openshift_yaml_dir');
  if (yamlDir !== undefined) config['apply-ordered'] = { directory: yamlDir };
  origins.set('apply-ordered.directory', 'openshift_yaml_dir');

  const quayInit = translateQuayInit(doc, role, isOld, issues, origins);
  if (quayInit) config['quay-init'] = quayInit;

  const roleUserKey = isOld
    ? role === 'primary'
      ? 'source_quay_user'
      : 'destination_quay_user'
    : `${role}_quay_user`;
  const robots = translateRobots(v('robot_config'), s(roleUserKey), roleUserKey, issues, origins);
  if (robots.length > 0) config['create-robots'] = { instance: role, robots };

  const caches = translateProxycache(v('proxycache'), issues, origins);
  if (caches.length > 0) config.proxycache = { instance: role, caches };

  const mirror: Record<string, unknown> = {};
  const repositories = v('repositories');
  if (repositories !== undefined) mirror.repositories = repositories;
  origins.set('mirror-repos.repositories', 'repositories');
  if (Array.isArray(repositories))
    for (const i of repositories.keys()) origins.set(`mirror-repos.repositories[${i}]`, `repositories[${i}]`);
  if (isOld && v('failover') !== undefined) {
    if (typeof v('failover') !== 'boolean')
      issues.push(wrongType('failover', v('failover'), 'true or false', 'failover: true'));
    else if (v('failover') === true) mirror.failover = true;
    origins.set('mirror-repos.failover', 'failover');
  }
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
  return { format, config, issues, notices, origins, servers };
}

function wrongType(key: string, value: unknown, expected: string, example: string): ConfigIssue {
  const got = Array.isArray(value) ? 'a list' : isMapping(value) ? 'a mapping' : `a ${typeof value}`;
  return { path: key, original: key, message: verbatim(`wrong type: got ${got}`), expected, example };
}

function translateQuayInit(
  doc: Record<string, unknown>,
  role: LegacyRole,
  isOld: boolean,
  issues: ConfigIssue[],
  origins: Map<string, string>,
) {
  const v = (key: string): unknown => present(doc[key]);
  const out: Record<string, unknown> = { instance: role };
  const namespace = isOld ? undefined : v(`${role}_quay_namespace`);
  if (namespace !== undefined) out.namespace = namespace;
  if (!isOld) origins.set('quay-init.namespace', `${role}_quay_namespace`);
  const userKeys = isOld
    ? {
        username: 'destination_quay_user',
        password: 'destination_quay_password',
        email: 'destination_quay_email',
      }
    : { username: 'initialize_username', password: 'initialize_password', email: 'initialize_email' };
  for (const [field, key] of Object.entries(userKeys)) origins.set(`quay-init.initialUser.${field}`, key);
  origins.set('quay-init.adminOrganization', 'quay_admin_org');
  origins.set('quay-init.organizations', 'organizations');
  origins.set('quay-init.superUsers', 'quay_secret_options.super_users');
  if (!isOld) origins.set('quay-init.takeOwnership.users', `${role}_quay_user`);
  if (!isOld) origins.set('quay-init.takeOwnership.users[0]', `${role}_quay_user`);
  const bundleKey = isOld ? 'quay_init_config' : `${role}_quay_init_config`;
  origins.set('quay-init.configBundle', bundleKey);
  origins.set('quay-init.configBundle.file', bundleKey);
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
        ...wrongType('organizations', orgs, 'a mapping of organization name to {present: true|false}', ''),
        example: 'organizations: {platform-team: {present: true}}',
      });
    else {
      out.organizations = Object.entries(orgs).map(([name, spec], i) => {
        origins.set(`quay-init.organizations[${i}]`, `organizations.${name}`);
        origins.set(`quay-init.organizations[${i}].name`, `organizations.${name}`);
        const presentValue = isMapping(spec) ? spec.present : undefined;
        if (!isMapping(spec) || ![true, false, 'true', 'false'].includes(presentValue as never)) {
          issues.push({
            path: `organizations.${name}${isMapping(spec) ? '.present' : ''}`,
            original: `organizations.${name}${isMapping(spec) ? '.present' : ''}`,
            message:
              isMapping(spec) && presentValue === undefined
                ? verbatim('missing key present')
                : message`wrong value: got ${describeValue(isMapping(spec) ? presentValue : spec)}`,
            expected: '{present: true} or {present: false}',
            example: `${name}: {present: true}`,
          });
        }
        return { name, state: presentValue === false || presentValue === 'false' ? 'absent' : 'present' };
      });
    }
  }
  const secretOptions = v('quay_secret_options');
  if (secretOptions !== undefined) {
    if (!isMapping(secretOptions) || !Array.isArray(secretOptions.super_users)) {
      const key = isMapping(secretOptions) ? 'quay_secret_options.super_users' : 'quay_secret_options';
      const value = isMapping(secretOptions) ? secretOptions.super_users : secretOptions;
      issues.push({
        path: key,
        original: key,
        message:
          value === undefined ? verbatim('missing key') : verbatim(`wrong type: got ${describeValue(value)}`),
        expected: 'a mapping with super_users: a list of user names',
        example: 'quay_secret_options: {super_users: [quayadmin]}',
      });
    } else {
      for (const key of Object.keys(secretOptions).filter((k) => k !== 'super_users'))
        issues.push({
          path: `quay_secret_options.${key}`,
          original: `quay_secret_options.${key}`,
          message: verbatim('unknown key in a config of the original quay_guides format'),
          expected: 'super_users',
        });
      out.superUsers = secretOptions.super_users;
      for (const i of secretOptions.super_users.keys())
        origins.set(`quay-init.superUsers[${i}]`, `quay_secret_options.super_users[${i}]`);
    }
  }
  const roleUser = isOld ? undefined : v(`${role}_quay_user`);
  if (roleUser !== undefined) out.takeOwnership = { users: [roleUser] };
  const bundle = isOld ? v('quay_init_config') : v(`${role}_quay_init_config`);
  if (bundle !== undefined) out.configBundle = { file: bundle };
  return Object.keys(out).length > 1 ? out : undefined;
}

const ROBOT_KEYS = ['type', 'name', 'org_name'];
const ROBOT_EXAMPLE = 'bot1: {type: org, name: deployer, org_name: platform-team}';

function translateRobots(
  value: unknown,
  roleUser: unknown,
  roleUserKey: string,
  issues: ConfigIssue[],
  origins: Map<string, string>,
): unknown[] {
  origins.set('create-robots.robots', 'robot_config');
  if (value === undefined) return [];
  if (!isMapping(value)) {
    issues.push(wrongType('robot_config', value, 'a mapping of label to {type, name, org_name}', ''));
    return [];
  }
  return Object.entries(value).map(([label, spec], i) => {
    const at = `robot_config.${label}`;
    origins.set(`create-robots.robots[${i}]`, at);
    origins.set(`create-robots.robots[${i}].name`, `${at}.name`);
    origins.set(`create-robots.robots[${i}].organization`, `${at}.org_name`);
    origins.set(`create-robots.robots[${i}].user`, roleUserKey);
    if (!isMapping(spec)) {
      issues.push({ ...wrongType(at, spec, 'a mapping {type, name, org_name}', ''), example: ROBOT_EXAMPLE });
      return { name: label };
    }
    for (const key of Object.keys(spec))
      if (!ROBOT_KEYS.includes(key))
        issues.push({
          path: `${at}.${key}`,
          original: `${at}.${key}`,
          message: verbatim('unknown key in a robot of the original format'),
          expected: `one of: ${ROBOT_KEYS.join(', ')}`,
        });
    if (spec.type !== undefined && spec.type !== 'org' && spec.type !== 'personal')
      issues.push({
        path: `${at}.type`,
        original: `${at}.type`,
        message: message`wrong value: got ${describeValue(spec.type)}`,
        expected: 'one of: org, personal',
        example: 'type: org',
      });
    if (spec.type === 'personal') {
      if (roleUser === undefined)
        issues.push({
          path: roleUserKey,
          original: roleUserKey,
          message: verbatim(`missing key: the personal robot ${at} is owned by this user`),
          expected: 'a Quay user name',
          example: `${roleUserKey}: quayadmin`,
        });
      return { name: spec.name, user: roleUser };
    }
    return { name: spec.name, organization: spec.org_name };
  });
}

/** A value of the user's, for a message: a short scalar as written, else its type. */
function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return verbatim(Array.isArray(value) ? 'a list' : isMapping(value) ? 'a mapping' : `a ${typeof value}`);
}

const PROXYCACHE_FIELDS: Record<string, string> = {
  org_name: 'organization',
  upstream_registry: 'upstreamRegistry',
  upstream_registry_username: 'username',
  upstream_registry_password: 'password',
  expiration_s: 'expirationSeconds',
  insecure: 'insecure',
};

function translateProxycache(value: unknown, issues: ConfigIssue[], origins: Map<string, string>): unknown[] {
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

function instance(url: unknown, token: unknown, username: unknown, password: unknown) {
  if (url === undefined) return undefined;
  return compact({ url, token, username, password }) ?? { url };
}

function withScheme(host: unknown): unknown {
  if (typeof host !== 'string') return host;
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
