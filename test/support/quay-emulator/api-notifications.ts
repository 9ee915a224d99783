/**
 * Repository notifications (quay-api.md §10): `endpoints/api/repositorynotification.py`, its pre-OCI model,
 * `data/model/notification.py` and each method's `validate` in `notifications/notificationmethod.py`.
 * Every call needs repo admin (`repo:admin`), or a superuser with FEATURE_SUPERUSERS_FULL_ACCESS; the
 * permission is checked before the body (`@require_repo_admin` wraps `@validate_json_request`). Delivery is
 * notifications.ts.
 */
import { invalidRequest, notFound } from './api-auth.js';
import { readJsonBody, validateJson } from './api-body.js';
import { requireRepo } from './api-repo-access.js';
import type { RequestContext } from './context.js';
import { apiJson, fail, flaskInternalError, shapeD } from './errors.js';
import { type JsonValue, uuid } from './formats.js';
import type { HttpResponse } from './http-io.js';
import { pyStr, type Schema } from './jsonschema.js';
import {
  NOTIFICATION_EVENTS,
  NOTIFICATION_METHODS,
  parseTemplate,
  TemplateError,
  webhookUrlProblem,
} from './notifications.js';
import type { RouteDef } from './router.js';
import type { NotificationRecord, RepoRecord } from './state.js';

type Params = Record<string, string>;
type JsonObj = { [key: string]: JsonValue };

/** `RepositoryNotificationList.schemas["NotificationCreateRequest"]`, verbatim. */
const CREATE_REQUEST: Schema = {
  type: 'object',
  description: 'Information for creating a notification on a repository',
  required: ['event', 'method', 'config', 'eventConfig'],
  properties: {
    event: { type: 'string', description: 'The event on which the notification will respond' },
    method: { type: 'string', description: 'The method of notification (such as email or web callback)' },
    config: {
      type: 'object',
      description: 'JSON config information for the specific method of notification',
    },
    eventConfig: {
      type: 'object',
      description: 'JSON config information for the specific event of notification',
    },
    title: { type: 'string', description: 'The human-readable title of the notification' },
  },
};

/** `RepositoryNotification.to_dict`. */
export function notificationView(n: NotificationRecord): JsonValue {
  return {
    uuid: n.uuid,
    title: n.title,
    event: n.event,
    method: n.method,
    config: n.config,
    event_config: n.eventConfig,
    number_of_failures: n.numberOfFailures,
  };
}

/** Python truthiness of `config_data.get(key, "")`. */
function truthy(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

/** Thrown where Quay's validate raises something other than CannotValidateNotificationMethodException. */
const INTERNAL = Symbol('internal');

/**
 * `<Method>.validate(namespace, repo, config)`: the CannotValidateNotificationMethodException text (400 shape A),
 * INTERNAL for the exceptions it raises by accident (a 500 page), or undefined when valid.
 */
function methodProblem(
  ctx: RequestContext,
  method: string,
  namespace: string,
  repo: RepoRecord | undefined,
  config: JsonObj,
): string | typeof INTERNAL | undefined {
  const { state, options } = ctx.rt;
  switch (method) {
    case 'webhook': {
      const url = config.url ?? '';
      if (!truthy(url)) return 'Missing webhook URL';
      if (typeof url !== 'string') return INTERNAL;
      const problem = webhookUrlProblem(url, options.webhookHostnameBlacklist);
      if (problem === 'internal') return INTERNAL;
      if (problem === 'invalid') return 'Invalid webhook URL';
      const template = config.template;
      if (truthy(template)) {
        if (typeof template !== 'string') return INTERNAL;
        try {
          parseTemplate(template);
        } catch (err) {
          if (err instanceof TemplateError) return err.message;
          throw err;
        }
      }
      return undefined;
    }
    case 'quay_notification': {
      const target = config.target;
      if (!truthy(target)) return 'Missing target';
      if (typeof target !== 'object' || Array.isArray(target) || target === null) return INTERNAL;
      if (!truthy(target.kind)) return 'Missing target';
      if (!('name' in target)) return INTERNAL;
      const name = pyStr(target.name ?? null);
      if (target.kind === 'user') {
        return state.users.has(name) ? undefined : `Unknown user ${name}`;
      }
      if (target.kind === 'org') {
        if (!state.orgs.has(name)) return `Unknown organization ${name}`;
        // find_targets returns a 2-tuple here; validate unpacks three values: ValueError.
        return name !== namespace ? INTERNAL : undefined;
      }
      if (target.kind === 'team') {
        return state.orgs.get(namespace)?.teams.has(name) ? undefined : `Unknown team ${name}`;
      }
      // find_targets falls through and returns None: unpacking it is a TypeError.
      return INTERNAL;
    }
    case 'email': {
      const email = config.email ?? '';
      if (!truthy(email)) return 'Missing e-mail address';
      const authorized = typeof email === 'string' && repo?.authorizedEmails.has(email) === true;
      return authorized
        ? undefined
        : 'The specified e-mail address is not authorized to receive notifications for this repository';
    }
    case 'flowdock':
      return truthy(config.flow_api_token) ? undefined : 'Missing Flowdock API Token';
    case 'hipchat':
      if (!truthy(config.notification_token)) return 'Missing Hipchat Room Notification Token';
      return truthy(config.room_id) ? undefined : 'Missing Hipchat Room ID';
    case 'slack':
      return truthy(config.url) ? undefined : 'Missing Slack Callback URL';
    default:
      return INTERNAL;
  }
}

function admin(
  ctx: RequestContext,
  p: Params,
): { namespace: string; name: string; repo: RepoRecord | undefined } {
  return requireRepo(ctx, p.repo ?? '', 'admin', { allowMissing: true, allowSuperuser: true });
}

/** `GET .../notification/`: `{"notifications": [...]}`; empty for a repository that does not exist. */
async function listNotifications(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { repo } = admin(ctx, p);
  return apiJson(200, { notifications: (repo?.notifications ?? []).map(notificationView) });
}

/**
 * `POST .../notification/`: 201 with the view. An unknown method (`NotificationMethod.get_method` raises
 * InvalidNotificationMethodException), an unknown event (`ExternalNotificationEvent.get` raises DoesNotExist)
 * and a repository that does not exist (the insert fails) are uncaught: werkzeug's 500 page.
 */
async function createNotification(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { namespace, repo } = admin(ctx, p);
  const body = validateJson(ctx, await readJsonBody(ctx), CREATE_REQUEST);
  const method = body.method as string;
  if (!NOTIFICATION_METHODS.includes(method)) return flaskInternalError();
  const problem = methodProblem(ctx, method, namespace, repo, body.config as JsonObj);
  if (problem === INTERNAL) return flaskInternalError();
  if (problem !== undefined) return invalidRequest(ctx, problem);
  if (!NOTIFICATION_EVENTS.includes(body.event as string) || !repo) return flaskInternalError();
  const record: NotificationRecord = {
    id: ctx.rt.state.nextId(),
    uuid: uuid(),
    title: typeof body.title === 'string' ? body.title : null,
    event: body.event as string,
    method,
    config: body.config as JsonObj,
    eventConfig: body.eventConfig as JsonObj,
    numberOfFailures: 0,
  };
  repo.notifications.push(record);
  return apiJson(201, notificationView(record));
}

/** `GET .../notification/{uuid}`: Quay looks the uuid up in every repository (`get_repo_notification`). */
async function getNotification(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  admin(ctx, p);
  const found = ctx.rt.state.findNotification(p.uuid ?? '');
  if (!found) return notFound(ctx);
  return apiJson(200, notificationView(found.notification));
}

function notFoundText(namespace: string, name: string, id: string): string {
  return `No repository notification found for: ${namespace}, ${name}, ${id}`;
}

/** `DELETE .../notification/{uuid}`: 204; unknown here (or another repository's) is 400 shape A. */
async function deleteNotification(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { namespace, name } = admin(ctx, p);
  const id = p.uuid ?? '';
  const found = ctx.rt.state.findNotification(id);
  if (!found || found.repo.namespace !== namespace || found.repo.name !== name) {
    return invalidRequest(ctx, notFoundText(namespace, name, id));
  }
  found.repo.notifications = found.repo.notifications.filter((n) => n !== found.notification);
  return { status: 204 };
}

/**
 * `POST .../notification/{uuid}`: resets `number_of_failures` to 0, 204. Unknown: 400 shape A; another
 * repository's: InvalidNotificationException escapes the model, a DataModelException (400 `{"message"}`).
 */
async function resetFailures(ctx: RequestContext, p: Params): Promise<HttpResponse> {
  const { namespace, name } = admin(ctx, p);
  const id = p.uuid ?? '';
  const found = ctx.rt.state.findNotification(id);
  if (!found) return invalidRequest(ctx, notFoundText(namespace, name, id));
  if (found.repo.namespace !== namespace || found.repo.name !== name) {
    return fail(shapeD(400, `No repository notification found with uuid: ${id}`));
  }
  found.notification.numberOfFailures = 0;
  return { status: 204 };
}

export function notificationRoutes(): RouteDef<RequestContext>[] {
  const base = '/api/v1/repository/{repo+}/notification';
  return [
    { method: 'GET', pattern: `${base}/`, kind: 'api', handler: listNotifications },
    { method: 'POST', pattern: `${base}/`, kind: 'api', handler: createNotification },
    { method: 'GET', pattern: `${base}/{uuid}`, kind: 'api', handler: getNotification },
    { method: 'DELETE', pattern: `${base}/{uuid}`, kind: 'api', handler: deleteNotification },
    { method: 'POST', pattern: `${base}/{uuid}`, kind: 'api', handler: resetFailures },
  ];
}
