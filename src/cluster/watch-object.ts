import type { ClusterCli } from './cluster-cli.js';
import { typeArgument } from './cluster-objects.js';
import type { ObjectRef } from './readiness/index.js';

/** A running watch; `onChange` was given when it started. */
export interface ObjectWatch {
  stop(): void;
}

/**
 * `kubectl get TYPE NAME -w -o json`: kubectl prints one JSON document per event. Only the boundaries
 * matter here (the loop reads the object itself), so the stream is split by brace depth outside strings.
 * The first document is the object as it was when the watch started, which the loop has just read:
 * `onChange` is called for each one after it. When the watch ends, nothing more is called (the loop polls).
 */
export function watchObject(cli: ClusterCli, ref: ObjectRef, onChange: () => void): ObjectWatch {
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
  let initialSeen = false;
  const splitter = new JsonDocumentSplitter(() => {
    if (initialSeen) onChange();
    initialSeen = true;
  });
  child.stdout?.on('data', (chunk: Buffer) => splitter.push(chunk.toString('utf8')));
  return { stop: () => child.kill('SIGTERM') };
}

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
