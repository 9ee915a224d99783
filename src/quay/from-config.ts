import { ConfigError } from '../config/errors.js';
import { registryInstance } from '../config/references.js';
import type { InstanceConfig, QuayInstanceConfig } from '../config/sections/shared.js';
import type { Logger } from '../report/logger.js';
import type { Redactor } from '../secrets/redactor.js';
import { QuayClient, type QuayClientOptions } from './client.js';

/** A QuayClient for an entry of the `quay` section. */
export function quayClientFor(
  instance: QuayInstanceConfig,
  context: { redactor: Redactor; log: Logger; http?: QuayClientOptions['http'] },
  options: {
    requireToken?: boolean;
    name?: string /** Use this token instead of the instance's (or none, with null). */;
    token?: string | null;
  } = {},
): QuayClient {
  const token = options.token === null ? undefined : (options.token ?? instance.token?.reveal());
  if (options.requireToken && token === undefined) {
    throw new ConfigError([
      {
        path: `quay.${options.name ?? '<name>'}.token`,
        message: 'missing: this task calls the Quay API',
        expected: 'an OAuth token with admin rights on the organizations it manages',
        example: 'token: {env: QUAY_TOKEN}',
      },
    ]);
  }
  return new QuayClient({
    url: instance.url,
    token,
    redactor: context.redactor,
    caBundlePath: instance.caBundle,
    insecureSkipTlsVerify: instance.insecureSkipTlsVerify,
    logger: { debug: (message) => context.log.debug(message) },
    http: context.http,
  });
}

/**
 * Runs `use` with a token-bearing QuayClient for the named entry of `quay` (the task's validate has checked
 * that it exists) and closes the client however it ends.
 */
export async function withQuayClient<T>(
  instances: Record<string, InstanceConfig>,
  name: string,
  context: { redactor: Redactor; log: Logger; http?: QuayClientOptions['http'] },
  use: (quay: QuayClient) => Promise<T>,
): Promise<T> {
  const instance = registryInstance(instances, name);
  const quay = quayClientFor(instance, context, { requireToken: true, name });
  try {
    return await use(quay);
  } finally {
    await quay.close();
  }
}
