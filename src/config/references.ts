import { message } from '../secrets/redactor.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { InstanceConfig, QuayInstanceConfig } from './sections/shared.js';

/**
 * Checks that names given in task sections point at entries of the shared `quay` section.
 * Throws one ConfigError listing every dangling name.
 */
export function requireInstances(
  instances: Readonly<Record<string, InstanceConfig>>,
  references: ReadonlyArray<{ path: string; name: string; needs?: 'quay' | 'registry' }>,
): void {
  const known = Object.keys(instances);
  const issues: ConfigIssue[] = [];
  for (const { path, name, needs } of references) {
    const instance = instances[name];
    if (!instance) {
      issues.push({
        path,
        message: message`names Quay instance "${name}", which the quay section does not define`,
        expected: known.length > 0 ? `one of: ${known.join(', ')}` : 'an entry in the quay section',
        example: `quay: {${name}: {url: https://quay.example.com}}`,
        undefinedInstance: name,
      });
    } else if (needs === 'quay' && instance.type !== 'quay') {
      issues.push({
        path,
        message:
          instance.type === 'oci-layout'
            ? message`instance "${name}" is an oci-layout archive, but this needs Quay's API`
            : message`instance "${name}" is a plain registry, but this needs Quay's API`,
        expected: 'an instance with type: quay',
      });
    } else if (needs === 'registry' && instance.type === 'oci-layout') {
      issues.push({
        path,
        message: message`instance "${name}" is an oci-layout archive, but this needs a registry`,
        expected: 'an instance with type: quay or registry (and a url)',
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/** The usual check of a Quay-API task: its section's `instance` names a `type: quay` entry of the quay section. */
export function requireSectionQuay(
  instances: Readonly<Record<string, InstanceConfig>>,
  section: string,
  name: string,
): void {
  requireInstances(instances, [{ path: `${section}.instance`, name, needs: 'quay' }]);
}

/**
 * The entry `name` as a Quay or registry, for a task whose `validate` ran requireInstances on it: an
 * oci-layout (or a missing) entry here is a bug, not a config error.
 */
export function registryInstance(
  instances: Readonly<Record<string, InstanceConfig>>,
  name: string,
): QuayInstanceConfig {
  const instance = instances[name];
  if (instance === undefined || instance.type === 'oci-layout') {
    throw new Error(`internal: quay.${name} was checked to be a Quay or registry instance`);
  }
  return instance;
}
