export { integerValue } from '../config/flag-values.js';

import { type FlagSpec, setInSection } from './flags.js';

/** `--instance NAME`: which entry of the shared quay section a task works on. */
export function instanceFlag(section: string): FlagSpec {
  return {
    name: 'instance',
    type: 'string',
    valueName: 'NAME',
    description: `Entry of the quay section to work on (overrides ${section}.instance)`,
    override: (document, value) => setInSection(document, section, 'instance', value),
  };
}

/** The original --configure-secondary-quay-server: work on the secondary instance (and read secondary_* keys). */
export function secondaryRoleFlag(section: string): FlagSpec {
  return {
    name: 'configure-secondary-quay-server',
    type: 'boolean',
    original: true,
    description: 'Work on the secondary instance (same as --instance secondary)',
    override: (document) => setInSection(document, section, 'instance', 'secondary'),
    conflict: (flags) =>
      typeof flags.instance === 'string' && flags.instance !== 'secondary'
        ? `--configure-secondary-quay-server works on the instance "secondary", and --instance ${flags.instance} names another; give one of them`
        : undefined,
  };
}

/** A flag that only sets one boolean key of the task's section. */
export function booleanKeyFlag(
  section: string,
  key: string,
  name: string,
  description: string,
  original = false,
): FlagSpec {
  return {
    name,
    type: 'boolean',
    original,
    description,
    override: (document) => setInSection(document, section, key, true),
  };
}

/** A flag the original tool needed to select this task's job; here the task does that job anyway. */
export function acceptedFlag(name: string, description: string): FlagSpec {
  return { name, type: 'boolean', original: true, description };
}
