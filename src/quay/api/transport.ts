import type * as z from 'zod';
import { type HttpClient, HttpError, type HttpRequest } from '../../http/index.js';
import { asQuayError } from '../errors.js';

const enc = encodeURIComponent;

/** The API path of a repository, nested repository names keeping their slashes (quay-api.md §7.1). */
export function repoPath(namespace: string, repository: string): string {
  return `/api/v1/repository/${enc(namespace)}/${repository.split('/').map(enc).join('/')}`;
}

export function orgPath(organization: string): string {
  return `/api/v1/organization/${enc(organization)}`;
}

/**
 * The three shapes of a Quay API exchange every resource module uses: a GET parsed by a schema, a GET
 * where one kind of error means "not there", and a write. Every HttpError leaves as QuayApiError.
 */
export class QuayTransport {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  get http(): HttpClient {
    return this.#http;
  }

  async get<S extends z.ZodType>(
    path: string,
    schema: S,
    query?: HttpRequest['query'],
  ): Promise<z.output<S>> {
    try {
      return schema.parse(await this.#http.json({ method: 'GET', path, query }));
    } catch (error) {
      throw asQuayError(error);
    }
  }

  async getOrUndefined<S extends z.ZodType>(
    path: string,
    schema: S,
    missing: (e: HttpError) => boolean,
  ): Promise<z.output<S> | undefined> {
    try {
      return schema.parse(await this.#http.json({ method: 'GET', path }));
    } catch (error) {
      if (error instanceof HttpError && missing(error)) return undefined;
      throw asQuayError(error);
    }
  }

  /** A write; returns the parsed JSON body, or undefined for an empty one (204). */
  async send(request: HttpRequest): Promise<unknown> {
    try {
      const response = await this.#http.request(request);
      const text = await response.text();
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    } catch (error) {
      throw asQuayError(error);
    }
  }
}
