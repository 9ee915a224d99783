/**
 * What every mirror engine starts with: the source and targets of the run (roles, failover applied), each
 * configured instance opened once as an endpoint, and the preflight over all of them.
 */

import type { MirrorLimits } from '../limits.js';
import type { MirrorRun } from '../mirror-run.js';
import { type Endpoint, openEndpoint } from './endpoint.js';
import { preflight } from './preflight.js';
import { type MirrorSide, resolveRoles } from './roles.js';

/** A destination of the run: its side (instance, path mapping) and how it is reached. */
export interface MirrorTarget {
  side: MirrorSide;
  endpoint: Endpoint;
}

export interface RunSides {
  source: { side: MirrorSide; endpoint: Endpoint };
  targets: MirrorTarget[];
  /** Every endpoint opened, each once: close them when the run ends. */
  endpoints: Endpoint[];
}

export function openRunSides(context: MirrorRun, limits: MirrorLimits): RunSides {
  const section = context.config['mirror-repos'];
  const roles = resolveRoles(section);
  const endpoints = new Map<string, Endpoint>();
  const endpointFor = (name: string) => {
    let endpoint = endpoints.get(name);
    if (!endpoint) {
      const instance = context.config.quay[name];
      if (!instance) throw new Error(`mirror-repos: no quay instance named ${name}`);
      endpoint = openEndpoint(name, instance, {
        redactor: context.redactor,
        log: context.log,
        env: context.env,
        connectionsPerOrigin: limits.connectionsPerOrigin,
      });
      endpoints.set(name, endpoint);
    }
    return endpoint;
  };
  const source = { side: roles.source, endpoint: endpointFor(roles.source.instance) };
  const targets = roles.targets.map((side) => ({ side, endpoint: endpointFor(side.instance) }));
  return { source, targets, endpoints: [...endpoints.values()] };
}

/** `mirror: a → b, c (failover)`, the run's first line. */
export function directionLine(sides: RunSides, failover: boolean, engine = ''): string {
  return (
    `mirror${engine}: ${sides.source.endpoint.name} → ${sides.targets.map((t) => t.endpoint.name).join(', ')}` +
    `${failover ? ' (failover)' : ''}`
  );
}

/**
 * DNS and TCP of every registry (unless `preflight.enabled: false`); false when one failed: the run's
 * report says which, and nothing may be copied.
 */
export async function preflightPassed(context: MirrorRun, sides: RunSides): Promise<boolean> {
  const section = context.config['mirror-repos'];
  if (!(section.preflight?.enabled ?? true)) return true;
  const checked = await preflight(sides.endpoints, section.preflight?.timeout ?? 5);
  for (const line of checked.lines) context.log.debug(line);
  if (checked.failures.length === 0) return true;
  context.report.fail(`preflight failed, nothing was copied:\n  ${checked.failures.join('\n  ')}`);
  return false;
}
