/**
 * The quay-init section from the original format: the initial user, admin organization, organizations
 * (`{present: true|false}`), super users, the role user who takes ownership, and the config bundle, each with
 * the original key it is read from.
 */
import { message, verbatim } from '../../secrets/redactor.js';
import type { ConfigIssue } from '../errors.js';
import { isMapping } from '../merge.js';
import type { LegacyRole } from './format.js';
import { compact, describeValue, present, wrongType } from './values.js';

export function translateQuayInit(
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
