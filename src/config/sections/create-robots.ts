import * as z from 'zod';
import { filePath, instanceName, kubernetesName, namespaceName, presence } from '../values.js';

export const repositoryRole = z.enum(['read', 'write', 'admin']).meta({ examples: ['read'] });

const robot = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{1,254}$/, "a robot short name (Quay's rule: ^[a-z][a-z0-9_]{1,254}$)")
      .meta({ examples: ['deployer'] }),
    organization: namespaceName
      .optional()
      .meta({ description: 'Organization that owns the robot', examples: ['platform-team'] }),
    user: namespaceName
      .optional()
      .meta({ description: 'User that owns the robot (a personal robot)', examples: ['quayadmin'] }),
    description: z
      .string()
      .max(255)
      .default('')
      .meta({ examples: ['Pulls images for the prod cluster'] }),
    permissions: z
      .array(
        z.strictObject({
          repository: z
            .string()
            .regex(/^[^\s/:]+$/, 'a repository name inside the namespace')
            .meta({ examples: ['web'] }),
          role: repositoryRole,
        }),
      )
      .default([])
      .meta({ description: 'Repository permissions in the owning namespace' }),
    teams: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Teams to add the robot to', examples: [['deployers']] }),
    state: presence,
    pullSecret: z
      .strictObject({ name: kubernetesName, namespace: kubernetesName.meta({ examples: ['apps'] }) })
      .optional()
      .meta({ description: 'Write the credentials as a kubernetes.io/dockerconfigjson Secret' }),
    authFile: filePath.optional().meta({
      description: 'Write the credentials to a containers auth.json',
      examples: ['/workspace/out/auth.json'],
    }),
  })
  .refine((r) => (r.organization === undefined) !== (r.user === undefined), {
    message: 'set exactly one of organization or user',
  })
  .meta({
    examples: [
      { name: 'deployer', organization: 'platform-team', permissions: [{ repository: 'web', role: 'read' }] },
    ],
  });

export const createRobotsSchema = z
  .strictObject({
    instance: instanceName.default('primary').meta({ description: 'Which entry of `quay` holds the robots' }),
    robots: z.array(robot).default([]).meta({ description: 'Robot accounts to create, check or delete' }),
  })
  .meta({ description: 'create-robots: declarative robot accounts with repository permissions' });

export type CreateRobotsConfig = z.output<typeof createRobotsSchema>;
