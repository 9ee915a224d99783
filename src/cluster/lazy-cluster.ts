import type { ClusterConfig } from '../config/sections/shared.js';
import type { Logger } from '../report/logger.js';
import type { Redactor } from '../secrets/redactor.js';
import { ClusterCli } from './cluster-cli.js';

/** Opens the cluster CLI on first use only, so tasks that end up not needing the cluster never start it. */
export function lazyCluster(
  cluster: ClusterConfig,
  context: { redactor: Redactor; log: Logger; env: NodeJS.ProcessEnv },
) {
  let opened: Promise<ClusterCli> | undefined;
  return {
    get: (): Promise<ClusterCli> => {
      opened ??= ClusterCli.open({ cluster, redactor: context.redactor, log: context.log, env: context.env });
      return opened;
    },
    close: async (): Promise<void> => {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}
