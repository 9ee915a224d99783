import type { ClusterCli } from './cluster-cli.js';
import { typeArgument } from './cluster-objects.js';
import type { ObjectRef } from './readiness/index.js';

/** Tells a wait loop that the watched object changed, so it re-checks at once rather than at its next poll. */
export interface ChangeSignal {
  /** Resolves at the next change (never, once the watch has ended: the loop then just polls). */
  next(): Promise<void>;
  stop(): void;
}

/**
 * `kubectl get TYPE NAME -w -o json`: kubectl prints one JSON document per event. Only the boundaries
 * matter here (the loop reads the object itself), so the stream is split by brace depth outside strings.
 */
export function watchObject(cli: ClusterCli, ref: ObjectRef): ChangeSignal {
  const args = [
    'get',
    typeArgument(ref.apiVersion, ref.kind),
    ref.name,
    '-w',
    '-o',
    'json',
    ...(ref.namespace ? ['-n', ref.namespace] : []),
  ];
  const child = cli.spawn(args);
  let waiters: (() => void)[] = [];
  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const resolve of now) resolve();
  };
  const splitter = new JsonDocumentSplitter(wake);
  child.stdout?.on('data', (chunk: Buffer) => splitter.push(chunk.toString('utf8')));
  let ended = false;
  const end = () => {
    ended = true;
  };
  child.on('exit', end);
  child.on('error', end);
  return {
    next: () =>
      ended ? new Promise<void>(() => undefined) : new Promise<void>((resolve) => waiters.push(resolve)),
    stop: () => {
      child.kill('SIGTERM');
      wake();
    },
  };
}

/** Calls `onDocument` each time a complete top-level JSON value has streamed past. */
export class JsonDocumentSplitter {
  #depth = 0;
  #inString = false;
  #escaped = false;
  readonly #onDocument: () => void;

  constructor(onDocument: () => void) {
    this.#onDocument = onDocument;
  }

  push(text: string): void {
    for (const char of text) {
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (char === '\\') this.#escaped = true;
        else if (char === '"') this.#inString = false;
        continue;
      }
      if (char === '"') this.#inString = true;
      else if (char === '{' || char === '[') this.#depth++;
      else if (char === '}' || char === ']') {
        this.#depth--;
        if (this.#depth === 0) this.#onDocument();
      }
    }
  }
}
