/**
 * Plays kube-apiserver's CRD controllers: a CRD's kind is served (discovery, OpenAPI, resource paths) only once
 * the CRD is Established — at once after each write when `autoEstablish` is on, else when a test calls
 * `establish(name)`, so tests can see "CRD applied but not yet served". Deleting a CRD deletes its objects.
 */
import type { ResourceCatalog } from './catalog.js';
import { CRD_GROUP, crdToType, establishedStatus, isEstablished } from './crd.js';
import { KubeError } from './errors.js';
import type { KubeObject, ResourceType } from './model.js';
import type { ObjectService } from './objects.js';
import type { ObjectStore, StoreEvent } from './store.js';

export const API_SERVER_MANAGER = 'kube-apiserver';

export class CrdController {
  readonly #store: ObjectStore;
  readonly #catalog: ResourceCatalog;
  readonly #objects: ObjectService;
  readonly #crdType: ResourceType;
  autoEstablish: boolean;
  /** Called with work scheduled outside a request, so the emulator can report `settled()`. */
  readonly #track: (work: () => void) => void;

  constructor(
    store: ObjectStore,
    catalog: ResourceCatalog,
    objects: ObjectService,
    options: { autoEstablish: boolean; track: (work: () => void) => void },
  ) {
    this.#store = store;
    this.#catalog = catalog;
    this.#objects = objects;
    this.autoEstablish = options.autoEstablish;
    this.#track = options.track;
    const type = catalog.find(CRD_GROUP, 'v1', 'customresourcedefinitions');
    if (!type) throw new Error('the CRD type is missing from the built-in catalog');
    this.#crdType = type;
    store.subscribe((event) => this.#onEvent(event));
  }

  /** Marks the CRD Established and NamesAccepted and serves its kind; returns the updated CRD. */
  establish(name: string): KubeObject {
    const crd = this.#store.get(this.#crdType, undefined, name);
    if (!crd) throw KubeError.notFound(this.#crdType, name);
    // Serve first: a client that sees Established may use the kind at once.
    this.#catalog.serveCrd(name, crdToType(crd));
    return this.#objects.put(this.#crdType, { ...crd, status: establishedStatus(crd) }, API_SERVER_MANAGER);
  }

  #onEvent(event: StoreEvent): void {
    if (event.resource.group !== CRD_GROUP || event.resource.kind !== 'CustomResourceDefinition') return;
    const name = event.object.metadata.name ?? '';
    if (event.type === 'DELETED') {
      const served = this.#catalog.unserveCrd(name);
      if (served) this.#deleteAll(served);
      return;
    }
    if (isEstablished(event.object)) {
      this.#catalog.serveCrd(name, crdToType(event.object));
    } else if (this.autoEstablish) {
      this.#track(() => {
        if (this.#store.get(this.#crdType, undefined, name)) this.establish(name);
      });
    }
  }

  #deleteAll(type: ResourceType): void {
    for (const o of this.#store.list(type))
      this.#store.remove(type, o.metadata.namespace, o.metadata.name ?? '');
  }
}
