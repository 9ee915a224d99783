#!/usr/bin/env node
import { booleanKeyFlag, integerValue } from '../src/cli/common-task-flags.js';
import { UsageError } from '../src/cli/errors.js';
import { type FlagValue, type FlagValues, setInSection } from '../src/cli/flags.js';
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskContext, TaskDefinition } from '../src/cli/task.js';
import { ConfigError } from '../src/config/errors.js';
import { requireInstances } from '../src/config/references.js';
import { runShardPlan } from '../src/mirror/collect-plan.js';
import { type MirrorRestriction, restrictSection } from '../src/mirror/repository-selection.js';
import { resolveRoles } from '../src/mirror/roles.js';
import { runMirror } from '../src/mirror/run-mirror.js';
import { buildShardReport, MAX_SHARDS, parseShard } from '../src/mirror/shard.js';
import { tagFilterProblem } from '../src/mirror/tag-filter.js';

const SECTION = 'mirror-repos';
type MirrorContext = TaskContext<'quay' | 'mirror-repos'>;

const REPOSITORY = /^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)+$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** A list flag's values, also comma-separated (`--tags=a,b`, as a webhook's trigger passes them). */
function listOf(value: FlagValue | undefined): string[] | undefined {
  if (value === undefined || value === false) return undefined;
  const values = (Array.isArray(value) ? value : [String(value)])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length > 0 ? [...new Set(values)] : undefined;
}

function checked(
  flag: string,
  values: string[] | undefined,
  pattern: RegExp,
  what: string,
): string[] | undefined {
  const bad = values?.find((v) => !pattern.test(v));
  if (bad !== undefined) throw new UsageError(`flag --${flag}: "${bad}" is not ${what}`);
  return values;
}

function shardFlag(value: FlagValue | undefined) {
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
    repositories: checked('repository', listOf(flags.repository), REPOSITORY, 'org/repo'),
    tags: checked('tags', listOf(flags.tags), TAG, 'a tag name'),
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
  restrictSection(context.config[SECTION], {
    ...restriction,
    onSelected: (paths) => {
      repositories = paths.length;
    },
  });
  const inner: MirrorContext = {
    ...context,
    setResult: (name, value) => {
      set.set(name, value);
      context.setResult(name, value);
    },
  };
  let error: string | undefined;
  try {
    await runMirror(inner);
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

export const definition: TaskDefinition<'quay' | 'mirror-repos'> = {
  name: 'mirror-repos',
  summary: 'mirror repositories and tags from a source Quay to one or more destinations',
  description: `
Copies images registry to registry over the OCI distribution API: an explicit list, or every
organization and repository discovered on the source. Creates missing organizations, copies only
tags whose digest differs, all platforms of multi-arch images, and can go on past broken images.
--repository and --tags narrow a run to what a webhook names (never beyond what the config selects);
--plan-shards and --shard split a large mirror over parallel runs (the quay-mirror Pipeline).`,
  sections: ['quay', SECTION],
  flags: [
    {
      name: 'source',
      type: 'string',
      valueName: 'NAME',
      description: 'Entry of the quay section to copy from',
      override: (document, value) => setInSection(document, SECTION, 'source', value),
    },
    {
      name: 'destination',
      type: 'list',
      valueName: 'NAME',
      description: 'Entry of the quay section to copy to (repeatable)',
      override: (document, value) => setInSection(document, SECTION, 'destinations', value),
    },
    {
      name: 'concurrency',
      type: 'string',
      valueName: 'N',
      description: 'Parallel transfers per registry host (1–64)',
      override: (document, value) =>
        setInSection(document, SECTION, 'concurrency', integerValue('concurrency', value, 1, 64)),
    },
    booleanKeyFlag(
      SECTION,
      'keepGoing',
      'keep-going',
      'Record a failed image and go on; exit 1 at the end listing failures',
    ),
    booleanKeyFlag(
      SECTION,
      'failover',
      'failover',
      'Swap source and destination (servers, credentials and tokens)',
    ),
    booleanKeyFlag(SECTION, 'prune', 'prune', 'Delete destination tags gone from the source'),
    {
      name: 'repository',
      type: 'list',
      valueName: 'ORG/REPO',
      description:
        'Only these source repositories (repeatable or comma-separated), of those the config selects; others are skipped with a warning',
      override: (_document, value) => {
        checked('repository', listOf(value), REPOSITORY, 'org/repo');
      },
    },
    {
      name: 'tags',
      type: 'list',
      valueName: 'TAG,…',
      description:
        'Only these tags (comma-separated or repeatable), of those the config selects; no prune, no digest entries',
      override: (_document, value) => {
        checked('tags', listOf(value), TAG, 'a tag name');
      },
    },
    {
      name: 'shard',
      type: 'string',
      valueName: 'I/N',
      description: `Only the repositories in shard I of N (by a hash of their name; 1 ≤ I ≤ N ≤ ${MAX_SHARDS})`,
      override: (_document, value) => {
        shardFlag(value);
      },
    },
    {
      name: 'plan-shards',
      type: 'string',
      valueName: 'N',
      description:
        'Copy nothing: count the repositories selected and write the shards result for at most N parallel runs',
      override: (_document, value) => {
        integerValue('plan-shards', value, 1, MAX_SHARDS);
      },
    },
    booleanKeyFlag(SECTION, 'keepGoing', 'skip-broken-images', 'Same as --keep-going', true),
    {
      name: 'auto-discovery',
      type: 'boolean',
      original: true,
      description: 'Mirror every organization and repository found on the source',
      override: (document) => {
        const section = (document[SECTION] ?? {}) as Record<string, unknown>;
        setInSection(document, SECTION, 'discovery', {
          ...(section.discovery as object | undefined),
          enabled: true,
        });
      },
    },
  ],
  results: [
    { name: 'copied', description: 'number of tags copied (not with --plan-shards)' },
    { name: 'unchanged', description: 'number of tags already in place (not with --plan-shards)' },
    {
      name: 'shard-report',
      description:
        'this run as one JSON object: shard, ok, repositories, copied, unchanged, changed, failed, summary, failures (not with --plan-shards)',
    },
    {
      name: 'shards',
      description: 'JSON array of the shards to run, e.g. ["1/3","2/3","3/3"] (only with --plan-shards)',
    },
    { name: 'repositories', description: 'number of repositories selected (only with --plan-shards)' },
  ],
  validate: (config) => {
    const section = config[SECTION];
    const filters = [
      { path: `${SECTION}.tags`, filter: section.tags },
      ...section.repositories.map((entry, i) => ({
        path: `${SECTION}.repositories[${i}].tags`,
        filter: typeof entry === 'string' ? undefined : entry.tags,
      })),
    ];
    const issues = filters.flatMap(({ path, filter }) => {
      const problem = tagFilterProblem(filter);
      return problem ? [{ path: `${path}.${problem.key}`, message: problem.message }] : [];
    });
    if (issues.length > 0) throw new ConfigError(issues);
    requireInstances(config.quay, [
      { path: `${SECTION}.source`, name: section.source },
      ...section.destinations.map((d, i) => ({
        path: `${SECTION}.destinations[${i}]`,
        name: typeof d === 'string' ? d : d.instance,
      })),
    ]);
    resolveRoles(section);
  },
  run: async (context) => {
    const restriction = restrictionFromFlags(context.flags);
    const planShards = context.flags['plan-shards'];
    if (planShards === undefined) return mirrorWithShardReport(context, restriction);
    if (restriction.shard !== undefined || restriction.tags !== undefined)
      throw new UsageError('--plan-shards plans every shard of the selection: give it no --shard or --tags');
    await runShardPlan(context, Number(planShards), restriction);
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
