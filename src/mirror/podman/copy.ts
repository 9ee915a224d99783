/**
 * Carries out a (podman-judged) plan with podman, the original tool's way: per source image
 * `podman pull <source>@<digest>` once, then per destination tag `podman tag` and `podman push`, then
 * `podman rmi` (the sandbox's storage stays small: vfs keeps a full copy of every layer). Sequential, one
 * image at a time: all pulls share one local store, whose layer lock serialises them anyway, and vfs
 * copying is disk-bound. Missing organizations and repositories are created first (prepareDestinations,
 * as the native engine does); results go through the same MirrorLedger, so report items, counts and
 * keep-going are the native engine's: a failure is recorded per image and tag, and without keepGoing the
 * first one stops new work (the rest is reported as skipped).
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runPool } from '../../concurrency/work-pool.js';
import type { Redactor } from '../../secrets/redactor.js';
import { pruneRepositories } from '../destination/prune.js';
import { prepareDestinations } from '../destination/setup.js';
import type { ExecuteContext } from '../engine.js';
import { MirrorLedger } from '../outcome/ledger.js';
import {
  type CopyJob,
  copyJobs,
  type DestinationPlan,
  destinationRef,
  type MirrorPlan,
} from '../plan/plan.js';
import type { PodmanAccess } from './access.js';
import type { ImageIds } from './image-id.js';
import { NOT_COPIED_DETAIL, type NotCopied, recordNotCopied } from './plan.js';
import { failureText, type PodmanSandbox } from './sandbox.js';

export interface PodmanCopyContext extends ExecuteContext {
  redactor: Redactor;
  sandbox: PodmanSandbox;
  access: PodmanAccess;
  images: ImageIds;
}

export interface PodmanTotals {
  copied: number;
  unchanged: number;
  deleted: number;
  failed: readonly string[];
  /** Images pulled and tags pushed, and the seconds spent in podman for them. */
  pulls: number;
  pushes: number;
  podmanSeconds: number;
}

export async function copyWithPodman(
  plan: MirrorPlan,
  notCopied: readonly NotCopied[],
  context: PodmanCopyContext,
): Promise<PodmanTotals> {
  const { section, log, redactor } = context;
  const ledger = new MirrorLedger(context.report, log, section.keepGoing);
  const endpointOf = (name: string) => context.targets.find((t) => t.side.instance === name)?.endpoint;
  for (const repository of plan.repositories) ledger.recordPlanned(repository, context.source.name);
  recordNotCopied(notCopied, {
    report: context.report,
    log,
    fail: (ref, error, destination) => ledger.fail(ref, error, destination),
  });

  const blocked = ledger.stopped
    ? new Map<DestinationPlan, string>()
    : await prepareDestinations(plan, {
        targets: context.targets,
        createOrganizations: section.createOrganizations,
        poolWidth: context.limits.poolWidth,
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

  const stats = { pulls: 0, pushes: 0, podmanMs: 0 };
  const podman = async (what: string, args: readonly string[]) => {
    log.debug(`podman ${args.join(' ')}`);
    const started = Date.now();
    const result = await context.sandbox.run(args);
    stats.podmanMs += Date.now() - started;
    if (result.exitCode !== 0) throw new Error(redactor.redact(failureText(what, result)));
    return result;
  };
  const doneWith = (destination: DestinationPlan) => {
    const left = (jobsLeft.get(destination) ?? 1) - 1;
    jobsLeft.set(destination, left);
    if (left === 0) ledger.printLine(destination);
  };

  const runJob = async (job: CopyJob) => {
    const from = `${context.source.host}/${job.repository.sourcePath}@${job.digest}`;
    const local: string[] = [from];
    try {
      const sourceAccess = context.access.for(context.source);
      await sourceAccess.login();
      const started = Date.now();
      await podman(`pull ${from}`, ['pull', '--quiet', ...sourceAccess.tlsArgs, from]);
      stats.pulls += 1;
      log.debug(`podman: pulled ${from} in ${seconds(Date.now() - started)}`);
    } catch (error) {
      for (const t of job.targets)
        for (const ref of t.refs) ledger.fail(destinationRef(t.destination, ref), error, t.destination);
      await removeLocal(context, local);
      for (const t of job.targets) doneWith(t.destination);
      return;
    }
    const bytes = await context.images
      .of(context.source, job.repository.sourcePath, job.digest)
      .then((image) => image.bytes)
      .catch(() => 0);
    for (const { destination, refs } of job.targets) {
      let first = true;
      for (const ref of refs) {
        // Without keepGoing a failure (here or before) stops new work: the rest is reported as skipped.
        if (ledger.stopped) {
          ledger.skippedRef(destination, ref);
          continue;
        }
        const name = destinationRef(destination, ref);
        try {
          const endpoint = endpointOf(destination.target);
          if (!endpoint) throw new Error(`mirror-repos: no quay instance named ${destination.target}`);
          const access = context.access.for(endpoint);
          if (ref.tag === undefined) throw new Error(NOT_COPIED_DETAIL.digest);
          const to = `${endpoint.host}/${destination.path}:${ref.tag}`;
          await access.login();
          await podman(`tag ${from} ${to}`, ['tag', from, to]);
          local.push(to);
          const digestFile = join(context.sandbox.dir, 'tmp', 'pushed-digest');
          const started = Date.now();
          await podman(`push ${to}`, ['push', '--quiet', ...access.tlsArgs, '--digestfile', digestFile, to]);
          stats.pushes += 1;
          const pushed = await readDigest(digestFile);
          log.info(
            `podman: ${name} pushed in ${seconds(Date.now() - started)}` +
              `${pushed ? ` as ${pushed}` : ''} (source ${job.digest})`,
          );
          ledger.copiedRef(destination, ref, first ? bytes : 0);
          first = false;
        } catch (error) {
          ledger.fail(name, error, destination);
        }
      }
      doneWith(destination);
    }
    await removeLocal(context, local);
  };

  const { notStarted } = await runPool(jobs, 1, runJob, () => ledger.stopped);
  for (const job of notStarted) {
    for (const t of job.targets) for (const ref of t.refs) ledger.skippedRef(t.destination, ref);
  }

  if (section.prune && !ledger.stopped) {
    await pruneRepositories(context.source, plan.repositories, endpointOf, context.limiter, ledger);
  }
  for (const d of plan.repositories.flatMap((r) => r.destinations)) ledger.printLine(d);
  return {
    copied: ledger.copied,
    unchanged: ledger.unchanged,
    deleted: ledger.deleted,
    failed: ledger.failed,
    pulls: stats.pulls,
    pushes: stats.pushes,
    podmanSeconds: stats.podmanMs / 1000,
  };
}

/** Untags and deletes what this job put in the local store (a failure here costs disk space only). */
async function removeLocal(context: PodmanCopyContext, names: readonly string[]): Promise<void> {
  const result = await context.sandbox.run(['rmi', '--force', ...names]);
  if (result.exitCode !== 0)
    context.log.debug(context.redactor.redact(failureText(`rmi ${names.join(' ')}`, result)));
}

async function readDigest(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, 'utf8')).trim();
    await rm(file, { force: true });
    return /^sha256:[a-f0-9]{64}$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
