import * as z from 'zod';
import { applyOrderedSchema } from './sections/apply-ordered.js';
import { createRobotsSchema } from './sections/create-robots.js';
import { mirrorReposSchema } from './sections/mirror-repos.js';
import { proxycacheSchema } from './sections/proxycache.js';
import { quayConfigSchema } from './sections/quay-config.js';
import { quayInitSchema } from './sections/quay-init.js';
import { clusterSchema, quayInstancesSchema } from './sections/shared.js';

/**
 * One config file may hold a section for every task (so one ConfigMap or Secret serves a whole Pipeline):
 * the shared `quay` and `cluster` sections and one section per task, named as the task.
 */
export const SECTION_SCHEMAS = {
  quay: quayInstancesSchema,
  cluster: clusterSchema,
  'apply-ordered': applyOrderedSchema,
  'quay-init': quayInitSchema,
  'create-robots': createRobotsSchema,
  proxycache: proxycacheSchema,
  'quay-config': quayConfigSchema,
  'mirror-repos': mirrorReposSchema,
} as const;

export type SectionName = keyof typeof SECTION_SCHEMAS;
export const SECTION_NAMES = Object.keys(SECTION_SCHEMAS) as SectionName[];

type Sections = typeof SECTION_SCHEMAS;
export type ConfigFor<S extends SectionName> = { [K in S]: z.output<Sections[K]> };

/**
 * The schema a task validates: its own sections in full (absent ones take their defaults) and every other
 * known section accepted unchecked, so a file shared by a Pipeline passes each task. Unknown top-level
 * keys are still errors (a typo like `mirror-repo:` must not be silently ignored).
 */
export function documentSchema<S extends SectionName>(sections: readonly S[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const name of SECTION_NAMES) {
    const section: z.ZodType = SECTION_SCHEMAS[name];
    shape[name] = sections.includes(name as S)
      ? section.prefault({})
      : z
          .unknown()
          .optional()
          .meta({ description: section.description ?? name });
  }
  // The cast restates what the loop built: one entry per requested section with its own output type.
  return z.strictObject(shape) as unknown as z.ZodType<ConfigFor<S>>;
}

/** The JSON Schema editors use for a whole config file: every section in full. */
export function fullDocumentSchema() {
  return documentSchema(SECTION_NAMES);
}

export function toJsonSchema(schema: z.ZodType, title: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...json, title };
}
