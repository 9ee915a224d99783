/**
 * mirror-repos as its task runs it: the restriction flags (--repository, --tags, --shard) checked and
 * applied to the config's selection, then either the shard plan (--plan-shards) or the mirror with its
 * `shard-report` result.
 */
import { UsageError } from '../cli/errors.js';
import type { FlagValue, FlagValues } from '../cli/flags.js';
import type { TaskContext } from '../cli/task.js';
import { runShardPlan } from './collect-plan.js';
import type { MirrorRestriction } from './repository-selection.js';
import { runMirror } from './run-mirror.js';
import { buildShardReport, parseShard } from './shard.js';

type MirrorContext = TaskContext<'quay' | 'mirror-repos'>;

export const REPOSITORY = /^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)+$/;
export const TAG = /^[\w][\w.-]{0,127}$/;

/** A list flag's values, also comma-separated (`--tags=a,b`, as a webhook's trigger passes them). */
export function listOf(value: FlagValue | undefined): string[] | undefined {
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
  value: FlagValue | undefined,
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

export function shardFlag(value: FlagValue | undefined) {
  if (typeof value !== 'string') return undefined;
  try {
    return parseShard(value);
  } catch (error) {
    throw new UsageError(`flag --shard: ${(error as Error).message}`);
  }
}

/** --repository, --tags and --shard as one restriction (each already checked by its flag's override). */
function restrictionFromFlags(flags: FlagValues): MirrorRestriction {
  return {
    repositories: checked('repository', flags.repository, REPOSITORY, 'org/repo'),
    tags: checked('tags', flags.tags, TAG, 'a tag name'),
    shard: shardFlag(flags.shard),
  };
}

/**
 * The mirror, plus the `shard-report` result (this run's outcome as one JSON value, which the quay-mirror
 * Pipeline's report adds up) in every outcome, and copied/unchanged even when the run stopped early.
 */
async function mirrorWithShardReport(context: MirrorContext, restriction: MirrorRestriction): Promise<void> {
  const set = new Map<string, string>();
  let repositories = 0;
  const counted: MirrorRestriction = {
    ...restriction,
    onSelected: (paths) => {
      repositories = paths.length;
    },
  };
  const inner: MirrorContext = {
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

export async function runMirrorTask(context: MirrorContext): Promise<void> {
  const restriction = restrictionFromFlags(context.flags);
  const planShards = context.flags['plan-shards'];
  if (planShards === undefined) return mirrorWithShardReport(context, restriction);
  if (restriction.shard !== undefined || restriction.tags !== undefined)
    throw new UsageError('--plan-shards plans every shard of the selection: give it no --shard or --tags');
  await runShardPlan(context, Number(planShards), restriction);
}
