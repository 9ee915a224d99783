import { message } from '../secrets/redactor.js';
import { ConfigError, type ConfigIssue } from './errors.js';
import type { QuayInstanceConfig } from './sections/shared.js';

/**
 * Checks that names given in task sections point at entries of the shared `quay` section.
 * Throws one ConfigError listing every dangling name.
 */
export function requireInstances(
  instances: Readonly<Record<string, QuayInstanceConfig>>,
  references: ReadonlyArray<{ path: string; name: string; needs?: 'quay' }>,
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
        message: message`instance "${name}" is a plain registry, but this needs Quay's API`,
        expected: 'an instance with type: quay',
      });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/** The usual check of a Quay-API task: its section's `instance` names a `type: quay` entry of the quay section. */
export function requireSectionQuay(
  instances: Readonly<Record<string, QuayInstanceConfig>>,
  section: string,
  name: string,
): void {
  requireInstances(instances, [{ path: `${section}.instance`, name, needs: 'quay' }]);
}
