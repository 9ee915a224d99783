/**
 * Token-style paging of the API (`@page_support`, quay-api.md §7.6): keyset on the record id, the token is
 * encrypted JSON valid for 2 days, and a bad or expired token silently means "first page".
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';

const TOKEN_LIFETIME_MS = 2 * 24 * 3600 * 1000;

interface PagePosition {
  startIndex: number;
  pageNumber: number;
}

export class PageTokens {
  readonly #key = randomBytes(32);

  constructor(private readonly clock: Clock) {}

  encode(pos: PagePosition): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const json = JSON.stringify({
      start_index: pos.startIndex,
      page_number: pos.pageNumber,
      is_datetime: false,
      offset_val: 0,
      issued_ms: this.clock.nowMs(),
    });
    const data = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url');
  }

  decode(token: string | null): PagePosition | null {
    if (!token) return null;
    try {
      const raw = Buffer.from(token, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(json) as {
        start_index?: unknown;
        page_number?: unknown;
        issued_ms?: unknown;
      };
      if (typeof parsed.start_index !== 'number' || typeof parsed.issued_ms !== 'number') return null;
      if (this.clock.nowMs() - parsed.issued_ms > TOKEN_LIFETIME_MS) return null;
      return {
        startIndex: parsed.start_index,
        pageNumber: typeof parsed.page_number === 'number' ? parsed.page_number : 1,
      };
    } catch {
      return null;
    }
  }

  /** One page of `items` (any order; sorted by id here), starting where `token` points. */
  page<T extends { id: number }>(
    items: T[],
    token: string | null,
    limit: number,
  ): { items: T[]; nextPage: string | undefined } {
    const pos = this.decode(token);
    const sorted = [...items].sort((a, b) => a.id - b.id);
    const rest = pos ? sorted.filter((i) => i.id >= pos.startIndex) : sorted;
    const pageItems = rest.slice(0, limit);
    const following = rest[limit];
    const nextPage = following
      ? this.encode({ startIndex: following.id, pageNumber: (pos?.pageNumber ?? 1) + 1 })
      : undefined;
    return { items: pageItems, nextPage };
  }
}
