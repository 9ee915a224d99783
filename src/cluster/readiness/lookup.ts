import type { KubeObject, ListQuery, Lookup, Need, ObjectRef } from './types.js';

export function refKey(ref: ObjectRef): string {
  return `get ${ref.apiVersion} ${ref.kind} ${ref.namespace ?? ''}/${ref.name}`;
}

export function listKey(query: ListQuery): string {
  return `list ${query.apiVersion} ${query.kind} ${query.namespace ?? '*'} ${query.labelSelector ?? ''}`;
}

export function needKey(need: Need): string {
  return 'get' in need ? refKey(need.get) : listKey(need.list);
}

/**
 * The objects a wait loop has read during one poll. Start a new one each poll: the objects change
 * between polls, and a rule must see them as they are now.
 */
export class FetchedObjects implements Lookup {
  readonly #objects = new Map<string, KubeObject | null>();
  readonly #lists = new Map<string, readonly KubeObject[]>();

  /** `null`: read, and it does not exist. */
  recordObject(ref: ObjectRef, found: KubeObject | null): this {
    this.#objects.set(refKey(ref), found);
    return this;
  }

  /** An empty list also for a kind the server does not serve (yet). */
  recordList(query: ListQuery, items: readonly KubeObject[]): this {
    this.#lists.set(listKey(query), items);
    return this;
  }

  has(need: Need): boolean {
    return 'get' in need ? this.#objects.has(refKey(need.get)) : this.#lists.has(listKey(need.list));
  }

  get(ref: ObjectRef): KubeObject | null | undefined {
    return this.#objects.get(refKey(ref));
  }

  list(query: ListQuery): readonly KubeObject[] | undefined {
    return this.#lists.get(listKey(query));
  }
}

/** Lookup used when the caller provides none: nothing is read yet. */
export const NOTHING_READ: Lookup = {
  get: () => undefined,
  list: () => undefined,
};
