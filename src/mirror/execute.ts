/**
 * Carries out a plan: records what needs nothing (or cannot be done), prepares the destinations, copies
 * one manifest tree per source digest to every destination that needs it (a pool of `concurrency` trees;
 * requests bounded per host underneath), then prunes. Without `keepGoing` the first failure stops new
 * work: copies in flight finish, the rest is reported as skipped.
 */
import type { Logger } from '../ci/logger.js';
import type { Report } from '../ci/report.js';
import type { MirrorReposConfig } from '../config/sections/mirror-repos.js';
import { BlobTransfers, type TransferStats } from './blob-transfer.js';
import type { MirrorTarget } from './collect-plan.js';
import { type CopyDestination, ManifestCopier } from './copy.js';
import { prepareDestinations } from './destination-setup.js';
import type { Endpoint } from './endpoint.js';
import type { HostLimiter } from './host-limiter.js';
import { MirrorLedger } from './ledger.js';
import { type CopyJob, copyJobs, type DestinationPlan, destinationRef, type MirrorPlan } from './plan.js';
import { TransferProgress } from './progress.js';
import { pruneDestination } from './prune.js';
import { runPool } from './work-pool.js';

export interface ExecuteContext {
  section: MirrorReposConfig;
  source: Endpoint;
  targets: readonly MirrorTarget[];
  limiter: HostLimiter;
  log: Logger;
  report: Report;
}

export interface MirrorTotals {
  copied: number;
  unchanged: number;
  deleted: number;
  /** Refs of the failed items, in the order they failed. */
  failed: readonly string[];
  transfers: Readonly<TransferStats>;
}

export async function executePlan(plan: MirrorPlan, context: ExecuteContext): Promise<MirrorTotals> {
  const { section, log } = context;
  const ledger = new MirrorLedger(context.report, log, section.keepGoing);
  const endpointOf = (name: string) => context.targets.find((t) => t.side.instance === name)?.endpoint;
  recordPlanOutcome(plan, ledger, context.source.name);

  // After a failure that stops the run, nothing is created either.
  const blocked = ledger.stopped
    ? new Map<DestinationPlan, string>()
    : await prepareDestinations(plan, {
        targets: context.targets,
        createOrganizations: section.createOrganizations,
        concurrency: section.concurrency,
        report: context.report,
        log,
        fail: (ref, error) => ledger.fail(ref, error),
      });
  for (const [destination, why] of blocked) {
    for (const ref of destination.copy) ledger.fail(destinationRef(destination, ref), why, destination);
  }

  const jobs = plan.repositories
    .flatMap((repository) => (repository.error === undefined ? copyJobs(repository) : []))
    .map((job) => ({ ...job, targets: job.targets.filter((t) => !blocked.has(t.destination)) }))
    .filter((job) => job.targets.length > 0);
  const jobsLeft = new Map<DestinationPlan, number>();
  for (const t of jobs.flatMap((job) => job.targets)) {
    jobsLeft.set(t.destination, (jobsLeft.get(t.destination) ?? 0) + 1);
  }
  for (const d of plan.repositories.flatMap((r) => r.destinations)) if (!jobsLeft.has(d)) ledger.printLine(d);

  const progress = new TransferProgress((line) => log.info(line));
  const blobs = new BlobTransfers({ limiter: context.limiter, log, onBytes: (n) => progress.add(n) });
  const copier = new ManifestCopier({ blobs, limiter: context.limiter, signatures: section.signatures, log });

  const runJob = async (job: CopyJob) => {
    const destinations = job.targets.flatMap((target) => {
      const endpoint = endpointOf(target.destination.target);
      if (!endpoint) return [];
      const copy: CopyDestination = {
        endpoint,
        repository: target.destination.path,
        created: target.destination.repositoryExists === false,
        failure: undefined,
        bytes: 0,
      };
      return [{ target, copy }];
    });
    await copier.copy(
      { endpoint: context.source, repository: job.repository.sourcePath },
      job.digest,
      destinations.map((d) => ({ destination: d.copy, refs: d.target.refs.map((r) => r.tag ?? r.digest) })),
    );
    for (const { target, copy } of destinations) {
      const destination = target.destination;
      target.refs.forEach((ref, i) => {
        if (copy.failure !== undefined)
          ledger.fail(destinationRef(destination, ref), copy.failure, destination);
        // The first name carries the bytes; further tags of the same digest were a manifest PUT each.
        else ledger.copiedRef(destination, ref, i === 0 ? copy.bytes : 0);
      });
      const left = (jobsLeft.get(destination) ?? 1) - 1;
      jobsLeft.set(destination, left);
      if (left === 0) ledger.printLine(destination);
    }
  };
  const { notStarted } = await runPool(jobs, section.concurrency, runJob, () => ledger.stopped);
  for (const job of notStarted) {
    for (const t of job.targets) for (const ref of t.refs) ledger.skippedRef(t.destination, ref);
  }

  if (section.prune && !ledger.stopped) {
    for (const destination of plan.repositories.flatMap((r) => r.destinations)) {
      const endpoint = endpointOf(destination.target);
      if (!endpoint || destination.prune.length === 0 || ledger.failures(destination) > 0) continue;
      for (const outcome of await pruneDestination(endpoint, destination, context.limiter)) {
        if (outcome.error === undefined) ledger.deletedRef(destination, outcome);
        else ledger.fail(destinationRef(destination, outcome), outcome.error, destination);
      }
    }
  }
  for (const d of plan.repositories.flatMap((r) => r.destinations)) ledger.printLine(d);
  return {
    copied: ledger.copied,
    unchanged: ledger.unchanged,
    deleted: ledger.deleted,
    failed: ledger.failed,
    transfers: blobs.stats,
  };
}

/** Source and destination problems found while planning, and the refs that are already in place. */
function recordPlanOutcome(plan: MirrorPlan, ledger: MirrorLedger, sourceName: string): void {
  for (const repository of plan.repositories) {
    if (repository.error !== undefined) {
      ledger.fail(`${sourceName}/${repository.sourcePath}`, repository.error);
      continue;
    }
    for (const tag of repository.missing) {
      ledger.fail(`${sourceName}/${repository.sourcePath}:${tag}`, 'the tag does not exist at the source');
    }
    for (const destination of repository.destinations) {
      if (destination.error !== undefined) {
        for (const ref of repository.wanted)
          ledger.fail(destinationRef(destination, ref), destination.error, destination);
      } else {
        for (const ref of destination.unchanged) ledger.unchangedRef(destination, ref);
      }
    }
  }
}
