import * as z from 'zod';
import type { RepositoryRole } from '../models.js';
import { orgPath, type QuayTransport } from './transport.js';

const enc = encodeURIComponent;

/** Who a default permission grants to: a user or robot (kind user), or a team. */
export interface PrototypeDelegate {
  kind: 'user' | 'team';
  name: string;
}

/** One default permission (Quay's "permission prototype", api/prototype.py prototype_view). */
export interface Prototype {
  id: string;
  role: RepositoryRole;
  delegate: PrototypeDelegate;
  /** Applies only to repositories this user creates; undefined: to every new repository. */
  activatingUser?: string;
}

const PrototypeView = z.looseObject({
  id: z.string(),
  role: z.enum(['read', 'write', 'admin']),
  delegate: z.looseObject({ kind: z.enum(['user', 'team']), name: z.string() }),
  activating_user: z.looseObject({ name: z.string() }).nullable().optional(),
});

const PrototypeList = z.looseObject({ prototypes: z.array(PrototypeView) });

function fromView(view: z.output<typeof PrototypeView>): Prototype {
  const prototype: Prototype = {
    id: view.id,
    role: view.role,
    delegate: { kind: view.delegate.kind, name: view.delegate.name },
  };
  if (view.activating_user) prototype.activatingUser = view.activating_user.name;
  return prototype;
}

/** An organization's default permissions (`/api/v1/organization/{org}/prototypes`, org:admin). */
export class PrototypesApi {
  readonly #t: QuayTransport;

  constructor(transport: QuayTransport) {
    this.#t = transport;
  }

  async list(organization: string): Promise<Prototype[]> {
    const body = await this.#t.get(`${orgPath(organization)}/prototypes`, PrototypeList);
    return body.prototypes.map(fromView);
  }

  async create(organization: string, prototype: Omit<Prototype, 'id'>): Promise<Prototype> {
    const json: Record<string, unknown> = { role: prototype.role, delegate: prototype.delegate };
    if (prototype.activatingUser !== undefined) json.activating_user = { name: prototype.activatingUser };
    const body = await this.#t.send({ method: 'POST', path: `${orgPath(organization)}/prototypes`, json });
    return fromView(PrototypeView.parse(body));
  }

  async setRole(organization: string, id: string, role: RepositoryRole): Promise<void> {
    await this.#t.send({
      method: 'PUT',
      path: `${orgPath(organization)}/prototypes/${enc(id)}`,
      json: { role },
      idempotent: true,
    });
  }

  async delete(organization: string, id: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `${orgPath(organization)}/prototypes/${enc(id)}` });
  }
}
