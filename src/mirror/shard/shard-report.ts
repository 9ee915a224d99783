/**
 * The `shard-report` result: each mirror run reports its outcome as one self-describing JSON value, which
 * the quay-mirror Pipeline's `finally` task (tasks/pipeline-report.ts) adds up. One JSON value per shard,
 * not one result per count, because Tekton aggregates each result of a matrixed task into its own array
 * and leaves out the runs that did not write it (TEP-0140 "Missing Task Results"): separate arrays would
 * not line up.
 */
import * as z from 'zod';
import type { ItemAction, Report } from '../../report/report.js';
import { formatShard, parseShard, SHARD_FORMAT, type Shard, shardSpecs } from './shard.js';

const count = z.number().int().nonnegative();

export const shardReportSchema = z.object({
  /** `I/N`; `1/1` for a run without --shard. */
  shard: z.string().regex(SHARD_FORMAT),
  ok: z.boolean(),
  /** Repositories this run selected (after --repository and --shard). */
  repositories: count,
  copied: count,
  unchanged: count,
  changed: count,
  failed: count,
  /** The run's one-line summary (`3 copied, 1 failed` or `error: …`). */
  summary: z.string(),
  /** The first failed items, `ref: error`. */
  failures: z.array(z.string()).default([]),
});
export type ShardReport = z.output<typeof shardReportSchema>;

/** Room left for the standard results and copied/unchanged in Tekton's 3 KiB (see tekton-results.ts). */
export const SHARD_REPORT_MAX_BYTES = 1024;
const FAILURES_LISTED = 5;
const LINE_MAX = 200;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The one-line summary of a report, as the standard `summary` result has it. */
export function summaryOf(report: Report, error?: string): string {
  const failure = error ?? report.error;
  if (failure !== undefined) return `error: ${failure.split('\n')[0] ?? ''}`;
  const counts = report.countsByAction();
  const parts = (Object.entries(counts) as [ItemAction, number][]).map(([action, n]) => `${n} ${action}`);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

/**
 * This run's outcome as the `shard-report` result: compact JSON of at most SHARD_REPORT_MAX_BYTES (fewer
 * failures listed, then a shorter summary, when it would not fit). `error`: the run stopped on it.
 */
export function buildShardReport(input: {
  shard: Shard | undefined;
  repositories: number;
  copied: number;
  unchanged: number;
  report: Report;
  error?: string;
}): string {
  const { report } = input;
  const failures = report.items
    .filter((item) => item.action === 'failed')
    .slice(0, FAILURES_LISTED)
    .map((item) => clip(`${item.ref}: ${(item.error ?? 'failed').split('\n')[0]}`, LINE_MAX));
  const value: ShardReport = {
    shard: formatShard(input.shard ?? { index: 1, count: 1 }),
    ok: report.ok && input.error === undefined,
    repositories: input.repositories,
    copied: input.copied,
    unchanged: input.unchanged,
    changed: report.changed,
    failed: report.failed,
    summary: clip(summaryOf(report, input.error), LINE_MAX * 2),
    failures,
  };
  let text = JSON.stringify(value);
  while (Buffer.byteLength(text) > SHARD_REPORT_MAX_BYTES && value.failures.length > 0) {
    value.failures.pop();
    text = JSON.stringify(value);
  }
  if (Buffer.byteLength(text) > SHARD_REPORT_MAX_BYTES) {
    value.summary = clip(value.summary, LINE_MAX);
    text = JSON.stringify(value);
  }
  return text;
}

// --- adding the shard reports up (the Pipeline's finally task) -----------------------------------------

export interface ShardOutcome {
  /** `I/N`, or `#k` (the k-th argument) for a report that could not be read. */
  shard: string;
  report?: ShardReport;
  /** Why this shard counts as failed without a report of its own. */
  problem?: string;
}

export interface ShardTotals {
  /** In shard order; missing and unreadable shards included. */
  outcomes: ShardOutcome[];
  repositories: number;
  copied: number;
  unchanged: number;
  changed: number;
  /** Failed items of every shard, plus one per shard that reported nothing usable. */
  failed: number;
  /** Shards that failed or reported nothing usable. */
  failedShards: number;
}

export const NO_REPORT =
  'wrote no shard-report: its TaskRun ended before writing results (killed, out of memory, timed out, or a ' +
  'usage or config error: see its log)';

/**
 * Adds the shard reports up. The shard count comes from the reports themselves (`I/N`), so a shard whose
 * TaskRun wrote nothing (Tekton then leaves it out of the aggregated array) is still named.
 */
export function addUpShardReports(texts: readonly string[]): ShardTotals {
  const outcomes: ShardOutcome[] = [];
  const byShard = new Map<string, ShardOutcome>();
  const counts = new Set<number>();
  texts.forEach((text, i) => {
    let report: ShardReport;
    try {
      report = shardReportSchema.parse(JSON.parse(text));
    } catch {
      outcomes.push({ shard: `#${i + 1}`, problem: `unreadable shard-report: ${clip(text, 80)}` });
      return;
    }
    const shard = parseShard(report.shard);
    counts.add(shard.count);
    const known = byShard.get(report.shard);
    if (known) {
      known.problem = 'more than one shard-report for this shard';
      return;
    }
    const outcome: ShardOutcome = { shard: report.shard, report };
    byShard.set(report.shard, outcome);
    outcomes.push(outcome);
  });
  if (counts.size > 1) {
    outcomes.push({
      shard: 'shards',
      problem: `the shard-reports disagree on the number of shards: ${[...counts].sort((a, b) => a - b).join(', ')}`,
    });
  }
  for (const total of counts) {
    for (const spec of shardSpecs(total)) {
      if (byShard.has(spec)) continue;
      const outcome: ShardOutcome = { shard: spec, problem: NO_REPORT };
      byShard.set(spec, outcome);
      outcomes.push(outcome);
    }
  }
  outcomes.sort((a, b) => shardOrder(a.shard) - shardOrder(b.shard));
  const totals: ShardTotals = {
    outcomes,
    repositories: 0,
    copied: 0,
    unchanged: 0,
    changed: 0,
    failed: 0,
    failedShards: 0,
  };
  for (const { report, problem } of outcomes) {
    if (report) {
      totals.repositories += report.repositories;
      totals.copied += report.copied;
      totals.unchanged += report.unchanged;
      totals.changed += report.changed;
      totals.failed += report.failed;
    }
    if (problem !== undefined) totals.failed += 1;
    if (problem !== undefined || !report?.ok) totals.failedShards += 1;
  }
  return totals;
}

/** Sorts `I/N` by I, unreadable ones (`#k`) and the rest after them. */
function shardOrder(shard: string): number {
  const match = SHARD_FORMAT.exec(shard);
  if (match) return Number(match[1]);
  const unreadable = /^#(\d+)$/.exec(shard);
  return unreadable ? 1000 + Number(unreadable[1]) : 10_000;
}
