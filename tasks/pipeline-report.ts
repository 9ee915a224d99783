#!/usr/bin/env node
import { isMainModule, runMain } from '../src/cli/main.js';
import type { TaskDefinition } from '../src/cli/task.js';
import { addUpShardReports, type ShardOutcome } from '../src/mirror/shard/shard-report.js';

/** `$(tasks.status)` in a `finally` task (tektoncd/pipeline docs/pipelines.md, "Using Aggregate Execution Status"). */
const TASKS_STATUS = ['Succeeded', 'Completed', 'Failed', 'None'] as const;
const FAILURES_IN_TOTALS = 3;

function line(outcome: ShardOutcome): string {
  const r = outcome.report;
  if (!r) return `shard ${outcome.shard}: FAILED: ${outcome.problem ?? ''}`;
  const counts =
    `${r.repositories} ${r.repositories === 1 ? 'repository' : 'repositories'}, ${r.copied} copied, ` +
    `${r.unchanged} unchanged, ${r.failed} failed`;
  const failures = r.failures.length > 0 ? `\n    ${r.failures.join('\n    ')}` : '';
  const problem = outcome.problem !== undefined ? ` (${outcome.problem})` : '';
  return `shard ${outcome.shard}: ${r.ok ? 'ok' : 'FAILED'}: ${counts}; ${r.summary}${problem}${failures}`;
}

export const definition: TaskDefinition<never> = {
  name: 'pipeline-report',
  summary: 'add up the shard reports of the quay-mirror Pipeline (its finally task)',
  usage: '[-- SHARD-REPORT…]',
  description: `
The finally task of the quay-mirror Pipeline: takes the shard-report result of every fanned-out
mirror-repos run (Tekton aggregates them into an array) and the aggregate status of the Pipeline's tasks,
prints one line per shard and the totals, and exits 1 when a shard failed, a shard wrote no report (its
pod ended early), or the tasks' status is Failed or None (cancelled, timed out).`,
  sections: [],
  flags: [
    {
      name: 'status',
      type: 'string',
      valueName: 'STATUS',
      choices: TASKS_STATUS,
      description: "Aggregate status of the Pipeline's tasks: $(tasks.status)",
    },
  ],
  results: [
    { name: 'copied', description: 'tags copied by all shards together' },
    { name: 'unchanged', description: 'tags already in place, all shards together' },
    {
      name: 'failed-items',
      description: 'failed items of all shards together, plus one per shard that wrote no report',
    },
    {
      name: 'totals',
      description: 'one line: shards, repositories, copied, unchanged, failed, failed shards',
    },
  ],
  // The shard reports are the positional arguments (a Tekton array param expands into one each).
  positionals: () => undefined,
  run: async ({ positionals, flags, log, report, setResult }) => {
    if (positionals.length === 0) {
      report.fail('no shard-report given: nothing to add up');
      return;
    }
    const totals = addUpShardReports(positionals);
    for (const outcome of totals.outcomes) {
      const r = outcome.report;
      const failed = outcome.problem !== undefined || !r?.ok;
      log[failed ? 'error' : 'info'](`pipeline-report: ${line(outcome)}`);
      const detail = r
        ? `${r.repositories} repositories, ${r.copied} copied, ${r.unchanged} unchanged`
        : undefined;
      const ref = /^\d+\/\d+$/.test(outcome.shard) ? `shard ${outcome.shard}` : outcome.shard;
      if (failed) {
        const error = [outcome.problem, r?.summary, ...(r?.failures ?? [])].filter(Boolean).join('; ');
        report.add({ ref, action: 'failed', detail, error });
      } else report.add({ ref, action: r.copied > 0 ? 'copied' : 'unchanged', detail });
    }
    const failedNames = totals.outcomes
      .filter((o) => o.problem !== undefined || !o.report?.ok)
      .map((o) => o.shard);
    const named =
      failedNames.length === 0
        ? ''
        : `; failed: ${failedNames.slice(0, FAILURES_IN_TOTALS).join(', ')}${failedNames.length > FAILURES_IN_TOTALS ? ', …' : ''}`;
    const summary =
      `${totals.outcomes.length} shard(s), ${totals.repositories} repositories: ${totals.copied} copied, ` +
      `${totals.unchanged} unchanged, ${totals.failed} failed${named}`;
    log.info(`pipeline-report: total: ${summary}`);
    setResult('copied', String(totals.copied));
    setResult('unchanged', String(totals.unchanged));
    setResult('failed-items', String(totals.failed));
    setResult('totals', summary);
    const status = flags.status;
    if ((status === 'Failed' || status === 'None') && totals.failedShards === 0) {
      // Every shard says it succeeded, yet Tekton says otherwise (the plan failed, a run was cancelled…).
      report.fail(`the Pipeline's tasks ended ${status}, though every shard reported success`);
    }
  },
};

if (isMainModule(import.meta.url)) await runMain(definition);
