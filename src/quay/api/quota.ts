import * as z from 'zod';
import { HttpError } from '../../http/index.js';
import { asQuayError } from '../errors.js';
import { orgPath, type QuayTransport } from './transport.js';

const enc = encodeURIComponent;

export const QUOTA_LIMIT_TYPES = ['Warning', 'Reject'] as const;
export type QuotaLimitType = (typeof QUOTA_LIMIT_TYPES)[number];

export interface QuotaLimit {
  id: string;
  type: QuotaLimitType;
  thresholdPercent: number;
}

export interface OrganizationQuota {
  id: string;
  limitBytes: number;
  limits: QuotaLimit[];
}

const QuotaView = z.looseObject({
  id: z.union([z.number(), z.string()]),
  limit_bytes: z.number(),
  default_config: z.boolean().optional(),
  limits: z.array(
    z.looseObject({ id: z.union([z.number(), z.string()]), type: z.string(), limit_percent: z.number() }),
  ),
});

const QuotaList = z.array(QuotaView);

const QuotaReport = z.looseObject({
  quota_report: z.looseObject({ quota_bytes: z.number().nullable().optional() }).optional(),
});

/** What the organization quota endpoints answer, or that the Quay has them switched off. */
export type QuotaState = { available: false } | { available: true; quota: OrganizationQuota | undefined };

/**
 * An organization's storage quota and its warning/reject limits (api/namespacequota.py). The routes exist
 * only with FEATURE_QUOTA_MANAGEMENT and FEATURE_EDIT_QUOTA (a 404 otherwise); writes need a superuser
 * token with the super:user scope and FEATURE_SUPERUSERS_FULL_ACCESS.
 */
export class QuotaApi {
  readonly #t: QuayTransport;

  constructor(transport: QuayTransport) {
    this.#t = transport;
  }

  async get(organization: string): Promise<QuotaState> {
    let list: z.output<typeof QuotaList>;
    try {
      list = QuotaList.parse(
        await this.#t.http.json({ method: 'GET', path: `${orgPath(organization)}/quota` }),
      );
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return { available: false };
      throw asQuayError(error);
    }
    // With no quota of its own, Quay lists the system default (DEFAULT_SYSTEM_REJECT_QUOTA_BYTES) marked so.
    const own = list.find((q) => q.default_config !== true);
    if (!own) return { available: true, quota: undefined };
    return {
      available: true,
      quota: {
        id: String(own.id),
        limitBytes: own.limit_bytes,
        limits: own.limits.map((l) => ({
          id: String(l.id),
          type: l.type as QuotaLimitType,
          thresholdPercent: l.limit_percent,
        })),
      },
    };
  }

  /** Bytes the organization holds now (`quota_report.quota_bytes` of the organization view), if Quay says. */
  async usage(organization: string): Promise<number | undefined> {
    const body = await this.#t.get(orgPath(organization), QuotaReport);
    return body.quota_report?.quota_bytes ?? undefined;
  }

  async create(organization: string, limitBytes: number): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: `${orgPath(organization)}/quota`,
      json: { limit_bytes: limitBytes },
    });
  }

  async setLimitBytes(organization: string, id: string, limitBytes: number): Promise<void> {
    await this.#t.send({
      method: 'PUT',
      path: `${orgPath(organization)}/quota/${enc(id)}`,
      json: { limit_bytes: limitBytes },
      idempotent: true,
    });
  }

  async delete(organization: string, id: string): Promise<void> {
    await this.#t.send({ method: 'DELETE', path: `${orgPath(organization)}/quota/${enc(id)}` });
  }

  async addLimit(
    organization: string,
    id: string,
    limit: { type: QuotaLimitType; thresholdPercent: number },
  ): Promise<void> {
    await this.#t.send({
      method: 'POST',
      path: `${orgPath(organization)}/quota/${enc(id)}/limit`,
      json: { type: limit.type, threshold_percent: limit.thresholdPercent },
    });
  }

  async deleteLimit(organization: string, id: string, limitId: string): Promise<void> {
    await this.#t.send({
      method: 'DELETE',
      path: `${orgPath(organization)}/quota/${enc(id)}/limit/${enc(limitId)}`,
    });
  }
}
