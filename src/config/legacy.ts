/**
 * Reads config files of the original Python tools (stratus-ss/quay_guides) and translates them into the
 * native format. Two generations exist: HEAD's primary_/secondary_ keys and the older source_/destination_
 * keys with bare host names. Defects of the original are not carried over: empty values are simply absent
 * (not "missing"), the long-lived `*_token` is preferred over the 2.5 h `*_init_token`, and failover swaps
 * servers, credentials and tokens together.
 *
 * This file reads the servers, cluster, apply-ordered and mirror-repos keys; legacy/ holds the rest: the
 * two generations' keys (format.ts), the quay-init, create-robots and proxycache sections, and how values
 * are read (values.ts).
 */
import { verbatim } from '../secrets/redactor.js';
import type { ConfigIssue } from './errors.js';
import { HEAD_KEYS, type LegacyRole, OLD_KEYS } from './legacy/format.js';
import { translateProxycache } from './legacy/proxycache.js';
import { translateQuayInit } from './legacy/quay-init.js';
import { translateRobots } from './legacy/robots.js';
import { compact, present, wrongType } from './legacy/values.js';

export { isLegacyDocument, type LegacyRole } from './legacy/format.js';

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

function instance(url: unknown, token: unknown, username: unknown, password: unknown) {
  if (url === undefined) return undefined;
  return compact({ url, token, username, password }) ?? { url };
}

function withScheme(host: unknown): unknown {
  if (typeof host !== 'string') return host;
  return /^https?:\/\//.test(host) ? host : `https://${host.replace(/\/+$/, '')}`;
}
