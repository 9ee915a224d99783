import * as z from 'zod';
import { secretValue } from '../secret.js';
import { instanceName, namespaceName, presence } from '../values.js';

const proxyCacheEntry = z
  .strictObject({
    organization: namespaceName,
    upstreamRegistry: z
      .string()
      .regex(/^[^\s/]+(\/[^\s]+)?$/, 'a registry host, optionally with a namespace')
      .meta({ examples: ['docker.io', 'quay.io/prometheus'] }),
    expirationSeconds: z
      .number()
      .int()
      .min(60)
      .default(86400)
      .meta({ examples: [86400] }),
    insecure: z
      .boolean()
      .default(false)
      .meta({ description: 'Talk to the upstream without TLS verification' }),
    username: secretValue('Upstream registry user', 'UPSTREAM_USERNAME').optional(),
    password: secretValue('Upstream registry password', 'UPSTREAM_PASSWORD').optional(),
    overwrite: z
      .boolean()
      .optional()
      .meta({ description: 'Replace a different existing configuration (default: the section value)' }),
    state: presence,
  })
  .meta({ examples: [{ organization: 'cache-dockerhub', upstreamRegistry: 'docker.io' }] });

export const proxycacheSchema = z
  .strictObject({
    instance: instanceName.default('primary').meta({ description: 'Which entry of `quay` to configure' }),
    createOrganizations: z
      .boolean()
      .default(true)
      .meta({ description: 'Create a missing organization first' }),
    overwrite: z.boolean().default(false).meta({ description: 'Replace a different existing configuration' }),
    caches: z
      .array(proxyCacheEntry)
      .default([])
      .meta({ description: 'Proxy-cache configuration per organization' }),
  })
  .meta({ description: 'proxycache: pull-through cache configuration of organizations' });

export type ProxycacheConfig = z.output<typeof proxycacheSchema>;
