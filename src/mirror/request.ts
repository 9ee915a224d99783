/**
 * What a run's flags ask of it beyond the config: --repository, --tags and --shard narrow the config's
 * selection (never widen it), --plan-shards asks for the shard plan instead of a mirror. Parsed once, when
 * the task's flags are read (before any config is loaded or anything contacted); a bad value is a
 * UsageError naming the flag.
 */

import { UsageError } from '../config/errors.js';
import { integerValue, type RawFlagValue } from '../config/flag-values.js';
import type { MirrorRestriction } from './plan/selection.js';
import { MAX_SHARDS, parseShard } from './shard/shard.js';

export interface MirrorRequest {
  restriction: MirrorRestriction;
  /** --plan-shards N: at most N shards; copy nothing. */
  planShards?: number;
}

/** A Quay repository path, `org/repo` (nested paths allowed). */
export const REPOSITORY = /^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)+$/;
/** A tag name as the distribution spec allows it. */
export const TAG = /^[\w][\w.-]{0,127}$/;

/** The task's flags this request reads, as parsed from the command line (a FlagValues is one). */
export type RequestFlags = Readonly<Record<string, RawFlagValue | undefined>>;

export function mirrorRequestOf(flags: RequestFlags): MirrorRequest {
  const restriction: MirrorRestriction = {
    repositories: checked('repository', flags.repository, REPOSITORY, 'org/repo'),
    tags: checked('tags', flags.tags, TAG, 'a tag name'),
    shard: shardOf(flags.shard),
  };
  const given = flags['plan-shards'];
  if (given === undefined || given === false) return { restriction };
  const planShards = integerValue('plan-shards', given, 1, MAX_SHARDS);
  if (restriction.shard !== undefined || restriction.tags !== undefined)
    throw new UsageError('--plan-shards plans every shard of the selection: give it no --shard or --tags');
  return { restriction, planShards };
}

/** A list flag's values, also comma-separated (`--tags=a,b`, as a webhook's trigger passes them). */
function listOf(value: RawFlagValue | undefined): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  const values = (Array.isArray(value) ? value : [String(value)])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length > 0 ? [...new Set(values)] : undefined;
}

/** A list flag's values, each matching `pattern`; a flag given with nothing in it (`--tags ,,`) is an error. */
function checked(
  flag: string,
  value: RawFlagValue | undefined,
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

function shardOf(value: RawFlagValue | undefined) {
  if (typeof value !== 'string') return undefined;
  try {
    return parseShard(value);
  } catch (error) {
    throw new UsageError(`flag --shard: ${(error as Error).message}`);
  }
}
