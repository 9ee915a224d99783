/**
 * The in-memory object store: objects by resource type, namespace and name, one increasing resourceVersion for
 * all writes, and the history of events that watches replay from a resourceVersion.
 */
import { clone } from './json.js';
import { type KubeObject, type ResourceType, typeKey } from './model.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resource: ResourceType;
  /** A private copy; listeners must not change it. */
  object: KubeObject;
  resourceVersion: number;
}

export type StoreListener = (event: StoreEvent) => void;

const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class ObjectStore {
  #resourceVersion = 1000;
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoreEvent[] = [];
  readonly #listeners = new Set<StoreListener>();

  get resourceVersion(): number {
    return this.#resourceVersion;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#objects.get(typeKey(type))?.get(objectKey(namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Sorted by namespace, then name; all namespaces when `namespace` is undefined. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const all = [...(this.#objects.get(typeKey(type))?.values() ?? [])];
    return all
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) =>
        objectKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(
          objectKey(b.metadata.namespace, b.metadata.name ?? ''),
        ),
      )
      .map(clone);
  }

  /** Stores `object` with the next resourceVersion and notifies listeners; returns the stored copy. */
  write(type: ResourceType, object: KubeObject): KubeObject {
    const name = object.metadata.name ?? '';
    const key = objectKey(object.metadata.namespace, name);
    let bucket = this.#objects.get(typeKey(type));
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(typeKey(type), bucket);
    }
    const eventType: EventType = bucket.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = clone(object);
    this.#resourceVersion += 1;
    stored.metadata.resourceVersion = String(this.#resourceVersion);
    bucket.set(key, stored);
    this.#emit(eventType, type, stored);
    return clone(stored);
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.#objects.get(typeKey(type));
    const found = bucket?.get(objectKey(namespace, name));
    if (!bucket || !found) return undefined;
    bucket.delete(objectKey(namespace, name));
    this.#resourceVersion += 1;
    found.metadata.resourceVersion = String(this.#resourceVersion);
    this.#emit('DELETED', type, found);
    return clone(found);
  }

  /** Events after `resourceVersion`, oldest first. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.#history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: StoreListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(type: EventType, resource: ResourceType, object: KubeObject): void {
    const event: StoreEvent = {
      type,
      resource,
      object: clone(object),
      resourceVersion: this.#resourceVersion,
    };
    this.#history.push(event);
    for (const listener of [...this.#listeners]) listener(event);
  }
}
