/**
 * Runs the real kubectl against an emulator. `/usr/bin/kubectl` on the project machines is the google-cloud-sdk
 * dispatcher: it first GETs `/version` and execs the `kubectl.1.<minor>` beside it (local-infra.md §6.1). The
 * emulator reports minor "32", so this runs kubectl v1.32.5. `KUBE_EMULATOR_KUBECTL` overrides the binary.
 */
import { execa, type ResultPromise } from 'execa';

export const KUBECTL = process.env.KUBE_EMULATOR_KUBECTL ?? '/usr/bin/kubectl';

/** What `kubectl` needs from an emulator: its kubeconfig and an isolated environment. */
export interface KubectlTarget {
  kubeconfigPath: string;
  env: Record<string, string>;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function options(target: KubectlTarget, input: string | undefined, timeoutMs: number) {
  return {
    // Only PATH from the developer's environment: a KUBECONFIG or cache of theirs must not leak in.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...target.env },
    extendEnv: false,
    reject: false,
    input: input ?? '',
    timeout: timeoutMs,
  } as const;
}

export async function kubectl(
  target: KubectlTarget,
  args: readonly string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const result = await execa(
    KUBECTL,
    [`--kubeconfig=${target.kubeconfigPath}`, ...args],
    options(target, opts.input, opts.timeoutMs ?? 20_000),
  );
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** A long-running kubectl (`get -w`, `wait`): read `.stdout` as it streams, await it for the result. */
export function spawnKubectl(
  target: KubectlTarget,
  args: readonly string[],
  opts: { timeoutMs?: number } = {},
): ResultPromise<{ reject: false }> {
  return execa(
    KUBECTL,
    [`--kubeconfig=${target.kubeconfigPath}`, ...args],
    options(target, undefined, opts.timeoutMs ?? 20_000),
  );
}
