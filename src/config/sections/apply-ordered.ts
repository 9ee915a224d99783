import * as z from 'zod';
import { duration, durationSchema, filePath } from '../values.js';

const readinessRule = z
  .strictObject({
    apiVersion: z
      .string()
      .min(1)
      .optional()
      .meta({ examples: ['example.com/v1'] }),
    kind: z
      .string()
      .min(1)
      .meta({ examples: ['Widget'] }),
    condition: z
      .strictObject({ type: z.string().min(1), status: z.enum(['True', 'False', 'Unknown']).default('True') })
      .optional()
      .meta({ examples: [{ type: 'Ready', status: 'True' }] }),
    jsonPath: z
      .string()
      .min(1)
      .optional()
      .meta({ examples: ['{.status.phase}'] }),
    value: z
      .string()
      .optional()
      .meta({ examples: ['Ready'] }),
  })
  .refine((rule) => rule.condition !== undefined || rule.jsonPath !== undefined, {
    message: 'set condition or jsonPath',
  })
  .meta({ description: 'When an object of this kind counts as ready' });

export const applyOrderedSchema = z
  .strictObject({
    directory: filePath.optional().meta({
      description: 'Folder of prefix-ordered manifests (0001-….yaml); also the positional argument',
      examples: ['./manifests'],
    }),
    forceConflicts: z
      .boolean()
      .default(false)
      .meta({ description: 'Server-side apply with --force-conflicts' }),
    approveInstallPlans: z
      .boolean()
      .default(false)
      .meta({ description: 'Approve InstallPlans of Subscriptions waiting for approval' }),
    variables: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string())
      .default({})
      .meta({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the text describes the ${VAR} syntax itself
        description: 'Values for ${VAR} placeholders (environment variables are used too)',
        examples: [{ CLUSTER_DOMAIN: 'apps.example.com' }],
      }),
    timeouts: z
      .strictObject({
        run: duration(3600),
        wave: duration(1800),
        object: duration(900),
        failureGrace: duration(120).meta({
          description:
            'How long a failure the controller may still recover from (CSV Failed, CrashLoopBackOff) is tolerated',
        }),
        kinds: z
          .record(z.string().min(1), durationSchema())
          .default({})
          .meta({ examples: [{ StorageCluster: '30m' }] }),
      })
      .prefault({})
      .meta({ description: 'Timeouts for the whole run, one wave and one object (per kind)' }),
    rules: z
      .array(readinessRule)
      .default([])
      .meta({ description: 'Readiness rules for custom resource kinds' }),
  })
  .meta({ description: 'apply-ordered: apply a folder of manifests in order and wait until ready' });

export type ApplyOrderedConfig = z.output<typeof applyOrderedSchema>;
