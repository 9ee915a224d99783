/**
 * What a run did, as it happens: report items (one per tag and destination), counts per destination
 * repository for its progress line, the failures, and whether new work must stop (the first failure
 * stops it unless the run keeps going).
 */
import { recordItemFailure } from '../../report/item-failure.js';
import type { Logger } from '../../report/logger.js';
import type { Report } from '../../report/report.js';
import { type DestinationPlan, destinationRef, type RepositoryPlan, type WantedRef } from '../plan/plan.js';
import { type RepositoryCounts, repositoryLine } from './progress.js';

const STOPPED =
  'not attempted: the run stopped at the first failure (keepGoing: true or --keep-going copies the rest)';

export class MirrorLedger {
  copied = 0;
  unchanged = 0;
  deleted = 0;
  /** Refs of the failed items, in the order they failed. */
  readonly failed: string[] = [];
  readonly #report: Report;
  readonly #log: Logger;
  readonly #keepGoing: boolean;
  readonly #counts = new Map<DestinationPlan, RepositoryCounts>();
  readonly #printed = new Set<DestinationPlan>();
  #stopped = false;

  constructor(report: Report, log: Logger, keepGoing: boolean) {
    this.#report = report;
    this.#log = log;
    this.#keepGoing = keepGoing;
  }

  /** True once a failure happened in a run that does not keep going. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** A repository's problems found while planning, and the refs that are already in place. */
  recordPlanned(repository: RepositoryPlan, sourceName: string): void {
    if (repository.error !== undefined) {
      this.fail(`${sourceName}/${repository.sourcePath}`, repository.error);
      return;
    }
    for (const tag of repository.missing) {
      this.fail(`${sourceName}/${repository.sourcePath}:${tag}`, 'the tag does not exist at the source');
    }
    for (const destination of repository.destinations) {
      if (destination.error !== undefined) {
        for (const ref of repository.wanted)
          this.fail(destinationRef(destination, ref), destination.error, destination);
      } else {
        for (const ref of destination.unchanged) this.unchangedRef(destination, ref);
      }
    }
  }

  /** A failed item; with a destination it counts on that repository's line. */
  fail(ref: string, error: unknown, destination?: DestinationPlan): void {
    recordItemFailure({ report: this.#report, log: this.#log }, ref, error);
    this.failed.push(ref);
    if (destination) this.#countsOf(destination).failed += 1;
    if (!this.#keepGoing) this.#stopped = true;
  }

  unchangedRef(destination: DestinationPlan, ref: WantedRef): void {
    this.#report.add({ ref: destinationRef(destination, ref), action: 'unchanged', detail: ref.digest });
    this.#countsOf(destination).unchanged += 1;
    this.unchanged += 1;
  }

  copiedRef(destination: DestinationPlan, ref: WantedRef, bytes: number): void {
    this.#report.add({
      ref: destinationRef(destination, ref),
      action: 'copied',
      detail: `${ref.digest}, ${bytes} bytes`,
    });
    const counts = this.#countsOf(destination);
    counts.copied += 1;
    counts.bytes += bytes;
    this.copied += 1;
  }

  skippedRef(destination: DestinationPlan, ref: WantedRef): void {
    this.#report.add({ ref: destinationRef(destination, ref), action: 'skipped', detail: STOPPED });
  }

  /** A tag prune would have deleted but leaves, and why. */
  keptRef(destination: DestinationPlan, ref: WantedRef, why: string): void {
    this.#report.add({ ref: destinationRef(destination, ref), action: 'skipped', detail: why });
  }

  deletedRef(destination: DestinationPlan, ref: WantedRef): void {
    this.#report.add({
      ref: destinationRef(destination, ref),
      action: 'deleted',
      detail: `${ref.digest} (gone from the source)`,
    });
    this.deleted += 1;
  }

  /** Failed items counted on this destination repository so far. */
  failures(destination: DestinationPlan): number {
    return this.#countsOf(destination).failed;
  }

  /** The progress line of a destination repository, once. */
  printLine(destination: DestinationPlan): void {
    if (this.#printed.has(destination)) return;
    this.#printed.add(destination);
    this.#log.info(repositoryLine(`${destination.target}/${destination.path}`, this.#countsOf(destination)));
  }

  #countsOf(destination: DestinationPlan): RepositoryCounts {
    let counts = this.#counts.get(destination);
    if (!counts) {
      counts = { copied: 0, unchanged: 0, failed: 0, bytes: 0 };
      this.#counts.set(destination, counts);
    }
    return counts;
  }
}
