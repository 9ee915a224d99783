/**
 * The demo's Quay instances, started as an outside service: the emulator's own program
 * (test/support/quay-emulator/serve.js, built beside dist/demo/) gets the spec on stdin and answers with one
 * line of URLs and tokens. From then on the demo reaches the instances only over HTTP, as it would a real
 * Quay, and never loads the emulator's code. Stdin stays open as serve.js's lifeline, so the instances end
 * with the demo however the demo ends; `stop()` ends them at once.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const SERVE = fileURLToPath(new URL('../test/support/quay-emulator/serve.js', import.meta.url));
/** Start-up takes a fraction of a second: much longer means something is wrong, and the demo must not hang. */
const START_TIMEOUT_MS = 15_000;

/** One instance of serve.js's spec (test/support/quay-emulator/serve-spec.ts has the whole of it). */
export interface InstanceSpec {
  features?: Record<string, boolean>;
  superUsers?: string[];
  ssrfAllowedHosts?: string[];
  /** Each gets a token with every scope. */
  users?: { username: string }[];
  /** One small image under the tags, or with `platforms` a multi-platform index per tag. */
  repositories?: { path: string; tags: string[]; platforms?: { architecture: string }[]; public?: boolean }[];
}

export interface ServedInstance {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  /** The seeded users' tokens, by user name. */
  tokens: Record<string, string>;
}

export interface Emulators<Name extends string = string> {
  instances: Record<Name, ServedInstance>;
  stop(): Promise<void>;
}

export async function startEmulators<Name extends string>(
  spec: Record<Name, InstanceSpec>,
): Promise<Emulators<Name>> {
  // A message of serve.js's (a bad spec) goes straight to the demo's stderr.
  const serve = execa('node', [SERVE], { stdout: 'pipe', stderr: 'inherit', buffer: false, reject: false });
  const stop = async (): Promise<void> => {
    serve.kill(); // SIGTERM, then SIGKILL if it has not ended 5 s later
    await serve;
  };
  const ended = new AbortController();
  void serve.then((result) =>
    ended.abort(
      new Error(`serve.js ended (${result.exitCode ?? result.signal}) before naming the instances`),
    ),
  );
  const signal = AbortSignal.any([ended.signal, AbortSignal.timeout(START_TIMEOUT_MS)]);
  try {
    serve.stdin.write(`${JSON.stringify({ instances: spec })}\n`);
    const [line] = (await once(createInterface({ input: serve.stdout }), 'line', { signal })) as [string];
    const { instances } = JSON.parse(line) as { instances: Record<Name, ServedInstance> };
    return { instances, stop };
  } catch (error) {
    await stop();
    const reason = signal.aborted ? (signal.reason as Error) : (error as Error);
    throw new Error(`the emulated Quay instances did not start: ${reason.message}`);
  }
}
