/**
 * API errors as Kubernetes `Status` objects. The messages copy kube-apiserver's wording, because kubectl prints
 * them (`Error from server (NotFound): secrets "x" not found`) and tests assert on that text.
 */
import { qualifiedResource, type ResourceType } from './model.js';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

function detailsFor(type: ResourceType, name?: string): StatusDetails {
  return { ...(name !== undefined ? { name } : {}), group: type.group, kind: type.plural };
}

function scopeText(type: ResourceType, namespace: string | undefined): string {
  return type.namespaced && namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
}

export class KubeError extends Error {
  override readonly name = 'KubeError';
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus(): StatusObject {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }

  static notFound(type: ResourceType, name: string): KubeError {
    return new KubeError(
      404,
      'NotFound',
      `${qualifiedResource(type)} "${name}" not found`,
      detailsFor(type, name),
    );
  }

  /** An unknown path, group, version or resource (e.g. a custom resource whose CRD is not Established). */
  static noSuchResource(): KubeError {
    return new KubeError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  static alreadyExists(type: ResourceType, name: string): KubeError {
    return new KubeError(
      409,
      'AlreadyExists',
      `${qualifiedResource(type)} "${name}" already exists`,
      detailsFor(type, name),
    );
  }

  /** Optimistic concurrency: the request named a resourceVersion that is no longer current. */
  static conflict(type: ResourceType, name: string): KubeError {
    return new KubeError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      detailsFor(type, name),
    );
  }

  /** Server-side apply field-manager conflicts, worded as kube-apiserver words them. */
  static applyConflict(
    type: ResourceType,
    name: string,
    apiVersion: string,
    conflicts: { manager: string; field: string }[],
  ): KubeError {
    const managers = [...new Set(conflicts.map((c) => c.manager))];
    let message: string;
    if (conflicts.length === 1 && conflicts[0]) {
      message = `Apply failed with 1 conflict: conflict with "${conflicts[0].manager}" using ${apiVersion}: ${conflicts[0].field}`;
    } else {
      const lines = managers.map(
        (m) =>
          `conflicts with "${m}" using ${apiVersion}:\n${conflicts
            .filter((c) => c.manager === m)
            .map((c) => `- ${c.field}`)
            .join('\n')}`,
      );
      message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    }
    return new KubeError(409, 'Conflict', message, {
      ...detailsFor(type, name),
      causes: conflicts.map((c) => ({
        reason: 'FieldManagerConflict',
        message: `conflict with "${c.manager}" using ${apiVersion}`,
        field: c.field,
      })),
    });
  }

  /** 422: `Deployment.apps "web" is invalid: metadata.name: Required value: ...`. */
  static invalid(type: ResourceType, name: string, causes: Required<StatusCause>[]): KubeError {
    const qualifiedKind = type.group ? `${type.kind}.${type.group}` : type.kind;
    const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    return new KubeError(
      422,
      'Invalid',
      `${qualifiedKind} "${name}" is invalid: ${causes.length > 1 ? `[${text}]` : text}`,
      {
        name,
        group: type.group,
        kind: type.kind,
        causes,
      },
    );
  }

  static unprocessable(message: string): KubeError {
    return new KubeError(422, 'Invalid', message);
  }

  static badRequest(message: string): KubeError {
    return new KubeError(400, 'BadRequest', message);
  }

  static unauthorized(): KubeError {
    return new KubeError(401, 'Unauthorized', 'Unauthorized');
  }

  /** RBAC wording: `secrets "x" is forbidden: User "u" cannot get resource "secrets" in API group "" in the namespace "n"`. */
  static forbidden(
    type: ResourceType,
    verb: string,
    user: string,
    namespace: string | undefined,
    name: string | undefined,
    subresource?: string,
  ): KubeError {
    const subject = name ? `${qualifiedResource(type)} "${name}"` : qualifiedResource(type);
    const resource = subresource ? `${type.plural}/${subresource}` : type.plural;
    return new KubeError(
      403,
      'Forbidden',
      `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${type.group}"${scopeText(type, namespace)}`,
      detailsFor(type, name),
    );
  }

  static methodNotAllowed(): KubeError {
    return new KubeError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  }

  static unsupportedMediaType(contentType: string): KubeError {
    return new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
    );
  }

  static expired(requested: string, oldest: number): KubeError {
    return new KubeError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
  }

  static internal(message: string): KubeError {
    return new KubeError(500, 'InternalError', `Internal error occurred: ${message}`);
  }
}
