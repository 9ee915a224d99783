/**
 * Carries out the plan as it is made: per repository, records what needs nothing (or cannot be done),
 * prepares the destinations, copies one manifest tree per source digest to every destination that needs
 * it (one pool of `limits.poolWidth` trees; requests bounded per host underneath); at the end, prunes. Without
 * `keepGoing` the first failure stops new work: copies in flight finish, the rest is reported as skipped.
 */

import { WorkQueue } from '../../concurrency/work-pool.js';
import { pruneRepositories } from '../destination/prune.js';
import { DestinationPreparer } from '../destination/setup.js';
import type { ExecuteContext } from '../engine.js';
import { MirrorLedger } from '../outcome/ledger.js';
import { TransferProgress } from '../outcome/progress.js';
import {
  type CopyJob,
  copyJobs,
  type DestinationPlan,
  destinationRef,
  type MirrorPlan,
  type RepositoryPlan,
} from '../plan/plan.js';
import type { Endpoint } from '../sides/endpoint.js';
import { BlobTransfers, type TransferStats } from './blob-transfer.js';
import { type CopyDestination, ManifestCopier } from './copy.js';

export interface MirrorTotals {
  copied: number;
  unchanged: number;
  deleted: number;
  /** Refs of the failed items, in the order they failed. */
  failed: readonly string[];
  transfers: Readonly<TransferStats>;
}

/**
 * Copies repositories as their plans arrive (`add`, while the others are still being read), then prunes
 * (`finish`). Each repository: what needs nothing (or cannot be done) is recorded, its destinations are
 * prepared, and its manifest trees join one pool of `limits.poolWidth` copies.
 */
export class PlanExecution {
  readonly #context: ExecuteContext;
  readonly #ledger: MirrorLedger;
  readonly #preparer: DestinationPreparer;
  readonly #copier: ManifestCopier;
  readonly #blobs: BlobTransfers;
  readonly #queue: WorkQueue<CopyJob>;
  readonly #jobsLeft = new Map<DestinationPlan, number>();
  /** Repositories being prepared (their jobs join the queue when ready). */
  readonly #preparing: Promise<void>[] = [];

  constructor(context: ExecuteContext, knownOrganizations: MirrorPlan['organizations'] = []) {
    const { section, log } = context;
    this.#context = context;
    this.#ledger = new MirrorLedger(context.report, log, section.keepGoing);
    this.#preparer = new DestinationPreparer(
      {
        targets: context.targets,
        createOrganizations: section.createOrganizations,
        report: context.report,
        log,
        fail: (ref, error) => this.#ledger.fail(ref, error),
      },
      knownOrganizations,
    );
    const progress = new TransferProgress((line) => log.info(line));
    this.#blobs = new BlobTransfers({ limiter: context.limiter, log, onBytes: (n) => progress.add(n) });
    this.#copier = new ManifestCopier({
      blobs: this.#blobs,
      limiter: context.limiter,
      signatures: section.signatures,
      log,
    });
    this.#queue = new WorkQueue<CopyJob>(
      context.limits.poolWidth,
      (job) => this.#runJob(job),
      () => this.#ledger.stopped,
    );
  }

  /** A repository's plan, as soon as it is made. */
  add(repository: RepositoryPlan): void {
    this.#ledger.recordPlanned(repository, this.#context.source.name);
    if (repository.error !== undefined) return;
    this.#preparing.push(this.#prepareAndQueue(repository));
  }

  /** After the last `add`: waits for every copy, prunes, prints the last lines, and adds up. */
  async finish(repositories: readonly RepositoryPlan[]): Promise<MirrorTotals> {
    await Promise.all(this.#preparing);
    const ledger = this.#ledger;
    const { notStarted } = await this.#queue.close();
    for (const job of notStarted) {
      for (const t of job.targets) for (const ref of t.refs) ledger.skippedRef(t.destination, ref);
    }
    const destinations = repositories.flatMap((r) => r.destinations);
    if (this.#context.section.prune && !ledger.stopped) {
      const { source, limiter } = this.#context;
      await pruneRepositories(source, repositories, (target) => this.#endpointOf(target), limiter, ledger);
    }
    for (const d of destinations) ledger.printLine(d);
    return {
      copied: ledger.copied,
      unchanged: ledger.unchanged,
      deleted: ledger.deleted,
      failed: ledger.failed,
      transfers: this.#blobs.stats,
    };
  }

  async #prepareAndQueue(repository: RepositoryPlan): Promise<void> {
    const ledger = this.#ledger;
    // After a failure that stops the run, nothing is created either.
    const blocked = ledger.stopped
      ? new Map<DestinationPlan, string>()
      : await this.#preparer.prepare(repository);
    for (const [destination, why] of blocked) {
      for (const ref of destination.copy) ledger.fail(destinationRef(destination, ref), why, destination);
    }
    const jobs = copyJobs(repository)
      .map((job) => ({ ...job, targets: job.targets.filter((t) => !blocked.has(t.destination)) }))
      .filter((job) => job.targets.length > 0);
    for (const t of jobs.flatMap((job) => job.targets)) {
      this.#jobsLeft.set(t.destination, (this.#jobsLeft.get(t.destination) ?? 0) + 1);
    }
    for (const d of repository.destinations) if (!this.#jobsLeft.has(d)) ledger.printLine(d);
    this.#queue.push(...jobs);
  }

  #endpointOf(name: string): Endpoint | undefined {
    return this.#context.targets.find((t) => t.side.instance === name)?.endpoint;
  }

  async #runJob(job: CopyJob): Promise<void> {
    const ledger = this.#ledger;
    const destinations = job.targets.flatMap((target) => {
      const endpoint = this.#endpointOf(target.destination.target);
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
    await this.#copier.copy(
      { endpoint: this.#context.source, repository: job.repository.sourcePath },
      job.digest,
      destinations.map((d) => ({ destination: d.copy, refs: d.target.refs.map((r) => r.tag ?? r.digest) })),
    );
    for (const { target, copy } of destinations) {
      const destination = target.destination;
      target.refs.forEach((ref, i) => {
        const failure = copy.failure ?? copy.refFailures?.get(ref.tag ?? ref.digest);
        if (failure !== undefined) ledger.fail(destinationRef(destination, ref), failure, destination);
        // The first name carries the bytes; further tags of the same digest were a manifest PUT each.
        else ledger.copiedRef(destination, ref, i === 0 ? copy.bytes : 0);
      });
      const left = (this.#jobsLeft.get(destination) ?? 1) - 1;
      this.#jobsLeft.set(destination, left);
      if (left === 0) ledger.printLine(destination);
    }
  }
}
