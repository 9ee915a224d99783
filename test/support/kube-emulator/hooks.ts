/**
 * Test "controllers": functions run after a write, outside the request (so the client already has its answer),
 * e.g. "when a Subscription is applied, create its CSV a moment later". Tracked by the Scheduler for `settled()`.
 */
import { type KubeObject, kindMatches, type ResourceType } from './model.js';
import type { Scheduler } from './scheduler.js';
import type { EventType, ObjectStore } from './store.js';

export type ApplyHook<K> = (object: KubeObject, kube: K) => void | Promise<void>;
export type ChangeHook<K> = (event: { type: EventType; object: KubeObject }, kube: K) => void | Promise<void>;

function removeItem<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

export class Hooks<K> {
  readonly #scheduler: Scheduler;
  readonly #apply: { kind: string; fn: ApplyHook<K> }[] = [];
  readonly #change: { kind: string; fn: ChangeHook<K> }[] = [];
  #kube: K | undefined;

  constructor(scheduler: Scheduler, store: ObjectStore) {
    this.#scheduler = scheduler;
    store.subscribe((event) => {
      for (const h of this.#change.filter((x) => kindMatches(event.resource, x.kind))) {
        this.#scheduler.run(() => h.fn({ type: event.type, object: event.object }, this.#target()));
      }
    });
  }

  /** The facade handed to hook functions (set once the emulator is assembled). */
  bind(kube: K): void {
    this.#kube = kube;
  }

  onApply(kind: string, fn: ApplyHook<K>): () => void {
    const entry = { kind, fn };
    this.#apply.push(entry);
    return () => removeItem(this.#apply, entry);
  }

  onChange(kind: string, fn: ChangeHook<K>): () => void {
    const entry = { kind, fn };
    this.#change.push(entry);
    return () => removeItem(this.#change, entry);
  }

  /** After a successful (not dry-run) server-side apply. */
  applied(type: ResourceType, object: KubeObject): void {
    for (const h of this.#apply.filter((x) => kindMatches(type, x.kind))) {
      this.#scheduler.run(() => h.fn(object, this.#target()));
    }
  }

  #target(): K {
    if (this.#kube === undefined) throw new Error('hooks used before the emulator was assembled');
    return this.#kube;
  }
}
