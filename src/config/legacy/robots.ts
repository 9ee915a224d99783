/**
 * The create-robots section from the original format's `robot_config`: org robots, and personal robots of
 * the role's user, each with the original key it is read from.
 */
import { message, verbatim } from '../../secrets/redactor.js';
import type { ConfigIssue } from '../errors.js';
import { isMapping } from '../merge.js';
import { describeValue, wrongType } from './values.js';

const ROBOT_KEYS = ['type', 'name', 'org_name'];
const ROBOT_EXAMPLE = 'bot1: {type: org, name: deployer, org_name: platform-team}';

export function translateRobots(
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
