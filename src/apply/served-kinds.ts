/**
 * Before a wave applies, every kind it uses must be served: a kind an operator of an earlier wave installs
 * appears when its CRD does, so the wave waits (until its deadline) for the CRD to be established.
 */
import { waitUntilReady } from '../cluster/wait-ready.js';
import { describeRef, refOf } from './manifest-ref.js';
import type { WaveContext } from './wave-context.js';
import type { Wave } from './waves.js';

/** Kinds of the wave the server does not serve: waits (until the wave deadline) for their CRDs to be established. */
export async function kindsNotServed(
  wave: Wave,
  ctx: WaveContext,
  deadline: number,
): Promise<{ ref: string; reason: string }[]> {
  const kinds = new Map<string, { apiVersion: string; kind: string; refs: string[] }>();
  for (const doc of wave.documents) {
    const key = `${doc.object.apiVersion} ${doc.object.kind}`;
    const entry = kinds.get(key) ?? { apiVersion: doc.object.apiVersion, kind: doc.object.kind, refs: [] };
    entry.refs.push(describeRef(refOf(doc)));
    kinds.set(key, entry);
  }
  const problems: { ref: string; reason: string }[] = [];
  for (const { apiVersion, kind, refs } of kinds.values()) {
    if (await ctx.objects.served(apiVersion, kind)) continue;
    if (ctx.deps.dryRun) {
      for (const ref of refs) problems.push({ ref, reason: `${kind} (${apiVersion}) is not served yet` });
      continue;
    }
    ctx.deps.log.info(`wave ${wave.prefix}: waiting for ${kind} (${apiVersion}) to be served`);
    const reason = await waitUntilServed(apiVersion, kind, ctx, deadline);
    if (reason) for (const ref of refs) problems.push({ ref, reason });
  }
  return problems;
}

async function waitUntilServed(
  apiVersion: string,
  kind: string,
  ctx: WaveContext,
  deadline: number,
): Promise<string | undefined> {
  const { objects, config, now } = ctx;
  // Polled with a short backoff: a CRD appears whenever its operator (or OLM's InstallPlan) creates it.
  let interval = 200;
  for (;;) {
    const crd = await objects.crdFor(apiVersion, kind);
    if (crd) {
      const name = String((crd.metadata as { name?: unknown } | undefined)?.name ?? '');
      const outcome = await waitUntilReady(
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name },
        {
          objects,
          approveInstallPlans: false,
          customRules: config.rules,
          deadline,
          graceMs: config.timeouts.failureGrace * 1000,
          now,
          onProgress: () => undefined,
        },
      );
      if (outcome.state !== 'ready') return `its CRD ${name} is not established: ${outcome.reason}`;
      if (await objects.served(apiVersion, kind)) return undefined;
    }
    if (now() >= deadline)
      return `${kind} (${apiVersion}) is not served, and no CRD for it appeared before the wave timed out`;
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - now()))));
    interval = Math.min(Math.round(interval * 1.5), 2000);
  }
}
