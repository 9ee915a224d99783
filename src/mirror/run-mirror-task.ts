/**
 * mirror-repos as its task runs it: the restriction flags (--repository, --tags, --shard) checked and
 * applied to the config's selection, then either the shard plan (--plan-shards) or the mirror with its
 * `shard-report` result.
 */
import { UsageError } from '../config/errors.js';
import type { MirrorRun } from './mirror-run.js';
import { runShardPlan } from './plan/collect.js';
import type { MirrorRestriction } from './plan/selection.js';
import { runMirror } from './run.js';
import { buildShardReport, parseShard } from './shard/shard.js';

/** A flag's value as the command line gave it: a switch, one value, or a repeated one. */
type RawValue = boolean | string | readonly string[];

/** What the task's flags ask of this run, as given; checked here (the task's flag overrides call the same checks to fail early). */
export interface MirrorRequest {
  repository?: RawValue;
  tags?: RawValue;
  shard?: RawValue;
  planShards?: RawValue;
}

export const REPOSITORY = /^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)+$/;
export const TAG = /^[\w][\w.-]{0,127}$/;

/** A list flag's values, also comma-separated (`--tags=a,b`, as a webhook's trigger passes them). */
export function listOf(value: RawValue | undefined): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  const values = (Array.isArray(value) ? value : [String(value)])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length > 0 ? [...new Set(values)] : undefined;
}

/** A list flag's values, each matching `pattern`; a flag given with nothing in it (`--tags ,,`) is an error. */
export function checked(
  flag: string,
  value: RawValue | undefined,
  pattern: RegExp,
  what: string,
): string[] | undefined {
  const values = listOf(value);
  if (values === undefined && value !== undefined && value !== false)
    throw new UsageError(
      `flag --${flag}: ${JSON.stringify(Array.isArray(value) ? value.join(',') : String(value))} names nothing; expected e.g. --${flag} ${what === 'org/repo' ? 'team-alpha/web' : 'v1.2,latest'}`,
    );
  const bad = values?.find((v) => !pattern.test(v));
  if (bad !== undefined) throw new UsageError(`flag --${flag}: "${bad}" is not ${what}`);
  return values;
}

export function shardFlag(value: RawValue | undefined) {
  if (typeof value !== 'string') return undefined;
  try {
    return parseShard(value);
  } catch (error) {
    throw new UsageError(`flag --shard: ${(error as Error).message}`);
  }
}

/** --repository, --tags and --shard as one restriction (each already checked by its flag's override). */
function restrictionOf(request: MirrorRequest): MirrorRestriction {
  return {
    repositories: checked('repository', request.repository, REPOSITORY, 'org/repo'),
    tags: checked('tags', request.tags, TAG, 'a tag name'),
    shard: shardFlag(request.shard),
  };
}

/**
 * The mirror, plus the `shard-report` result (this run's outcome as one JSON value, which the quay-mirror
 * Pipeline's report adds up) in every outcome, and copied/unchanged even when the run stopped early.
 */
async function mirrorWithShardReport(context: MirrorRun, restriction: MirrorRestriction): Promise<void> {
  const set = new Map<string, string>();
  let repositories = 0;
  const counted: MirrorRestriction = {
    ...restriction,
    onSelected: (paths) => {
      repositories = paths.length;
    },
  };
  const inner: MirrorRun = {
    ...context,
    setResult: (name, value) => {
      set.set(name, value);
      context.setResult(name, value);
    },
  };
  let error: string | undefined;
  try {
    await runMirror(inner, counted);
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
    throw thrown;
  } finally {
    const counted = (action: string) => context.report.items.filter((i) => i.action === action).length;
    const copied = Number(set.get('copied') ?? counted('copied'));
    const unchanged = Number(set.get('unchanged') ?? counted('unchanged'));
    if (!set.has('copied')) context.setResult('copied', String(copied));
    if (!set.has('unchanged')) context.setResult('unchanged', String(unchanged));
    context.setResult(
      'shard-report',
      buildShardReport({
        shard: restriction.shard,
        repositories,
        copied,
        unchanged,
        report: context.report,
        error,
      }),
    );
  }
}

export async function runMirrorTask(context: MirrorRun, request: MirrorRequest): Promise<void> {
  const restriction = restrictionOf(request);
  const planShards = request.planShards;
  if (planShards === undefined) return mirrorWithShardReport(context, restriction);
  if (restriction.shard !== undefined || restriction.tags !== undefined)
    throw new UsageError('--plan-shards plans every shard of the selection: give it no --shard or --tags');
  await runShardPlan(context, Number(planShards), restriction);
}
