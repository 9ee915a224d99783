/**
 * Watch streams (`?watch=true`): chunked JSON lines `{"type":"ADDED|MODIFIED|DELETED","object":{...}}`.
 * Headers are flushed at once — kubectl waits for them with no time limit (local-infra.md §6.4). Without a
 * resourceVersion (or with "0") the stream starts with a synthetic ADDED per existing object, which
 * `kubectl get -w` expects and hides; with one, it replays the store's history after it.
 */
import type { ServerResponse } from 'node:http';
import { KubeError } from './errors.js';
import { clone } from './json.js';
import { joinApiVersion, type KubeObject, kindMatches, type ResourceType, typeKey } from './model.js';
import type { Selector } from './selectors.js';
import type { ObjectStore, StoreEvent } from './store.js';

export interface WatchRequest {
  type: ResourceType;
  version: string;
  namespace?: string;
  selector: Selector;
  /** From `fieldSelector=metadata.name=<n>`, for `whenWatching`. */
  name?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
}

/** Which watch a test waits for; `resource` is the plural or the kind. */
export interface WatchFilter {
  resource?: string;
  namespace?: string;
  name?: string;
}

interface OpenWatch {
  request: WatchRequest;
  end: () => void;
}

function watchMatches(w: WatchRequest, f: WatchFilter): boolean {
  if (f.resource !== undefined && f.resource !== w.type.plural && !kindMatches(w.type, f.resource))
    return false;
  if (f.namespace !== undefined && f.namespace !== w.namespace) return false;
  if (f.name !== undefined && f.name !== w.name) return false;
  return true;
}

export class WatchHub {
  readonly #store: ObjectStore;
  readonly #open = new Set<OpenWatch>();
  readonly #waiters: { filter: WatchFilter; resolve: () => void }[] = [];

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  get openCount(): number {
    return this.#open.size;
  }

  serve(res: ServerResponse, w: WatchRequest): void {
    const rv = w.resourceVersion;
    let backlog: { type: string; object: KubeObject }[];
    if (rv === undefined || rv === '' || rv === '0') {
      backlog = this.#store
        .list(w.type, w.namespace)
        .filter(w.selector)
        .map((object) => ({ type: 'ADDED', object }));
    } else {
      const since = Number(rv);
      if (!Number.isInteger(since) || since < 0)
        throw KubeError.badRequest(`invalid resource version: ${rv}`);
      backlog = this.#store.eventsSince(since).filter((e) => this.#relevant(w, e));
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: string, object: KubeObject) => {
      const out = clone(object);
      out.apiVersion = joinApiVersion(w.type.group, w.version);
      res.write(`${JSON.stringify({ type, object: out })}\n`);
    };
    for (const item of backlog) send(item.type, item.object);
    const unsubscribe = this.#store.subscribe((e) => {
      if (this.#relevant(w, e)) send(e.type, e.object);
    });
    const timer = w.timeoutSeconds ? setTimeout(() => res.end(), w.timeoutSeconds * 1000) : undefined;
    const open: OpenWatch = { request: w, end: () => res.end() };
    this.#open.add(open);
    // res, not req: in Node ≥ 16 the request's 'close' fires once its body is read (local-infra.md §6.4).
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      this.#open.delete(open);
    });
    for (const waiter of this.#waiters.filter((x) => watchMatches(w, x.filter))) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves when a matching watch is open and its initial events are sent (at once if one already is). */
  whenWatching(filter: WatchFilter = {}): Promise<void> {
    if ([...this.#open].some((o) => watchMatches(o.request, filter))) return Promise.resolve();
    return this.nextWatch(filter);
  }

  /** Resolves when a matching watch opens from now on (ignores those already open). */
  nextWatch(filter: WatchFilter = {}): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ filter, resolve }));
  }

  /** Ends every open stream (a watching `kubectl get -w` then exits 0). */
  closeAll(): void {
    for (const o of [...this.#open]) o.end();
  }

  #relevant(w: WatchRequest, e: StoreEvent): boolean {
    if (typeKey(e.resource) !== typeKey(w.type)) return false;
    if (w.namespace !== undefined && e.object.metadata.namespace !== w.namespace) return false;
    return w.selector(e.object);
  }
}
