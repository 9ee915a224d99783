import * as z from 'zod';
import { type QuayTransport, repoPath } from './transport.js';

const enc = encodeURIComponent;

/** A repository notification as Quay returns it (`to_dict` of api/repositorynotification_models_interface.py). */
export interface RepositoryNotification {
  uuid: string;
  title: string;
  event: string;
  method: string;
  config: Record<string, unknown>;
  eventConfig: Record<string, unknown>;
  numberOfFailures: number;
}

export type NewNotification = Omit<RepositoryNotification, 'uuid' | 'numberOfFailures'>;

const NotificationView = z.looseObject({
  uuid: z.string(),
  title: z.string().nullable().optional(),
  event: z.string(),
  method: z.string(),
  config: z.record(z.string(), z.unknown()),
  event_config: z.record(z.string(), z.unknown()),
  number_of_failures: z.number().optional(),
});

const NotificationList = z.looseObject({ notifications: z.array(NotificationView) });

function fromView(view: z.output<typeof NotificationView>): RepositoryNotification {
  return {
    uuid: view.uuid,
    title: view.title ?? '',
    event: view.event,
    method: view.method,
    config: view.config,
    eventConfig: view.event_config,
    numberOfFailures: view.number_of_failures ?? 0,
  };
}

/**
 * A repository's notifications (api/repositorynotification.py; repo admin). Quay has no update: a changed
 * notification is deleted and created again. Webhook configs carry their URL, shared token included, in
 * every answer: callers mask it through the redactor.
 */
export class NotificationsApi {
  readonly #t: QuayTransport;

  constructor(transport: QuayTransport) {
    this.#t = transport;
  }

  async list(namespace: string, repository: string): Promise<RepositoryNotification[]> {
    const body = await this.#t.get(`${repoPath(namespace, repository)}/notification/`, NotificationList);
    return body.notifications.map(fromView);
  }

  async create(
    namespace: string,
    repository: string,
    notification: NewNotification,
  ): Promise<RepositoryNotification> {
    const body = await this.#t.send({
      method: 'POST',
      path: `${repoPath(namespace, repository)}/notification/`,
      json: {
        event: notification.event,
        method: notification.method,
        config: notification.config,
        eventConfig: notification.eventConfig,
        title: notification.title,
      },
    });
    return fromView(NotificationView.parse(body));
  }

  async delete(namespace: string, repository: string, uuid: string): Promise<void> {
    await this.#t.send({
      method: 'DELETE',
      path: `${repoPath(namespace, repository)}/notification/${enc(uuid)}`,
    });
  }
}
