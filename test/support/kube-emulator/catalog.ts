/** Which resource types are served right now: the built-ins plus the kinds of Established CRDs. */
import { builtinTypes } from './builtin-types.js';
import type { ResourceType } from './model.js';

export class ResourceCatalog {
  readonly #builtin: ResourceType[] = builtinTypes();
  readonly #custom = new Map<string, ResourceType>();
  #revision = 0;

  /** Changes whenever the served set changes (drives the OpenAPI `hash`, local-infra.md §6.3). */
  get revision(): number {
    return this.#revision;
  }

  served(): ResourceType[] {
    return [...this.#builtin, ...this.#custom.values()];
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.served().find(
      (t) => t.group === group && t.plural === plural && t.versions.includes(version),
    );
  }

  findKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.served().find((t) => t.group === group && t.kind === kind && t.versions.includes(version));
  }

  /** Every group with its served versions, core (`""`) first, in first-seen order. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.served()) {
      const versions = out.get(t.group) ?? [];
      for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
      out.set(t.group, versions);
    }
    return out;
  }

  serveCrd(crdName: string, type: ResourceType): void {
    this.#custom.set(crdName, type);
    this.#revision += 1;
  }

  unserveCrd(crdName: string): ResourceType | undefined {
    const type = this.#custom.get(crdName);
    if (type) {
      this.#custom.delete(crdName);
      this.#revision += 1;
    }
    return type;
  }

  crdType(crdName: string): ResourceType | undefined {
    return this.#custom.get(crdName);
  }
}
