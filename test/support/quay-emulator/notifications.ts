/**
 * Repository notifications after they are created (quay-api.md §10): the events a push spawns
 * (`notifications/__init__.py::spawn_notification`), the queue and Quay's `notificationworker`, and the
 * webhook method (`notifications/notificationmethod.py::WebhookMethod`).
 *
 *  - A manifest PUT by tag queues one `repo_push` job per `repo_push` notification of the repository with
 *    `build_repository_event_data(ns, repo, {"updated_tags": [tag]})` (`endpoints/v2/manifest.py::
 *    _write_manifest_and_log`). Jobs are worked after the push has been answered, one at a time.
 *  - A notification with 3 or more failures is disabled (`get_enabled_notification`): its jobs end unworked.
 *  - A webhook POSTs `json.dumps(event_data)` (or the `template` applied to it) with `Content-type:
 *    application/json`, `requests`' default headers and a 10 s timeout, following redirects as `requests`
 *    does. Any non-2xx answer or transport error is a failure: `number_of_failures` + 1 and the job is retried
 *    30 s later (`retry_after_seconds=30`, emulated clock: `quay.advanceTime(30)`), at most 5 tries
 *    (`retries_remaining=5`). A success resets `number_of_failures` to 0.
 *  - Other methods (`quay_notification`, `email`, `slack`, `flowdock`, `hipchat`) are not performed: their
 *    jobs count as successes and are recorded with `performed: false`.
 */

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { Runtime } from './context.js';
import { type JsonValue, pyJson } from './formats.js';
import { pyStr } from './jsonschema.js';
import { type NotificationRecord, type RepoRecord, repoKey } from './state.js';

/** `ExternalNotificationEvent` rows (initdb.py, the migrations). */
export const NOTIFICATION_EVENTS: readonly string[] = [
  'repo_push',
  'build_queued',
  'build_start',
  'build_success',
  'build_cancelled',
  'build_failure',
  'vulnerability_found',
  'repo_mirror_sync_started',
  'repo_mirror_sync_success',
  'repo_mirror_sync_failed',
  'repo_image_expiry',
  'quota_warning',
  'quota_error',
];

/** `NotificationMethod` subclasses (and their `ExternalNotificationMethod` rows). */
export const NOTIFICATION_METHODS: readonly string[] = [
  'quay_notification',
  'email',
  'webhook',
  'flowdock',
  'hipchat',
  'slack',
];

/** The queue worker's `retry_after_seconds` and the queue's `retries_remaining` (workers/notificationworker). */
const RETRY_AFTER_MS = 30_000;
const QUEUE_RETRIES = 5;
/** `get_enabled_notification`: `number_of_failures < 3`. */
const MAX_FAILURES = 3;
/** `requests`' `Session.max_redirects`. */
const MAX_REDIRECTS = 30;
/** python-requests 2.32.3 (vendor/quay/requirements.txt) default headers. */
const REQUESTS_HEADERS: Record<string, string> = {
  'User-Agent': 'python-requests/2.32.3',
  'Accept-Encoding': 'gzip, deflate',
  Accept: '*/*',
  Connection: 'keep-alive',
};

export interface NotificationDelivery {
  notificationUuid: string;
  /** `ns/name`. */
  repository: string;
  event: string;
  method: string;
  /** The job's `event_data`. */
  eventData: JsonValue;
  /** False for methods the emulator does not perform (anything but webhook) and skipped webhook URLs. */
  performed: boolean;
  /** The webhook URL as configured (empty when not performed). */
  url: string;
  /** Request headers as sent. */
  headers: Record<string, string>;
  /** The exact request body. */
  body: string;
  /** Final HTTP status (after redirects); null when no answer came (refused, timeout, TLS error). */
  status: number | null;
  ok: boolean;
  /** The NotificationMethodPerformException text of a failure, else null. */
  error: string | null;
  /** 1 for the first try of a job. */
  attempt: number;
  atMs: number;
}

interface Job {
  id: number;
  notificationUuid: string;
  eventData: { [key: string]: JsonValue };
  availableAtMs: number;
  retriesRemaining: number;
  attempts: number;
}

/** `urllib.parse.urlparse(url)`'s `scheme` and `hostname` (lower-cased; null without one). */
export function pyUrlParse(url: string): { scheme: string; hostname: string | null } {
  // `url.lstrip(_WHATWG_C0_CONTROL_OR_SPACE)`, then the unsafe bytes `\t\r\n` removed.
  let start = 0;
  while (start < url.length && url.charCodeAt(start) <= 0x20) start++;
  let rest = url.slice(start).replace(/[\t\r\n]/g, '');
  let scheme = '';
  const i = rest.indexOf(':');
  if (i > 0 && /^[A-Za-z]/.test(rest) && /^[A-Za-z0-9+\-.]+$/.test(rest.slice(0, i))) {
    scheme = rest.slice(0, i).toLowerCase();
    rest = rest.slice(i + 1);
  }
  if (!rest.startsWith('//')) return { scheme, hostname: null };
  const end = rest.slice(2).search(/[/?#]/);
  const netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
  if (netloc.includes('[') !== netloc.includes(']')) throw new Error('Invalid IPv6 URL');
  const hostinfo = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = hostinfo.indexOf('[');
  const host = open >= 0 ? (hostinfo.slice(open + 1).split(']')[0] ?? '') : (hostinfo.split(':')[0] ?? '');
  return { scheme, hostname: host === '' ? null : host.toLowerCase() };
}

/** Quay's webhook URL rule (`validate` and `perform`): http(s) and a host not in HOSTNAME_BLACKLIST. */
export function webhookUrlProblem(url: string, blacklist: string[]): 'invalid' | 'internal' | undefined {
  let parsed: { scheme: string; hostname: string | null };
  try {
    parsed = pyUrlParse(url);
  } catch {
    return 'internal';
  }
  if (parsed.scheme !== 'https' && parsed.scheme !== 'http') return 'invalid';
  // `parsed.hostname.lower()` on None: AttributeError.
  if (parsed.hostname === null) return 'internal';
  if (['localhost', '127.0.0.1', ...blacklist].includes(parsed.hostname)) return 'invalid';
  return undefined;
}

export class TemplateError extends Error {}

const INLINE = /\$\{([^}]*)\}/g;

/**
 * `util/jsontemplate.py` with the subset of `jsonpath_rw` expressions tests need: dotted field names, `[n]`,
 * `[*]` and `*`. Other jsonpath syntax finds nothing here ("(none)"); real Quay evaluates it.
 */
function findPath(expression: string, data: JsonValue): JsonValue[] {
  const parts = expression.match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: JsonValue[] = [data];
  for (const raw of parts) {
    const part = raw.startsWith('[') ? raw.slice(1, -1).trim() : raw.trim();
    const next: JsonValue[] = [];
    for (const value of current) {
      if (part === '*') {
        if (Array.isArray(value)) next.push(...value);
        else if (value && typeof value === 'object') next.push(...Object.values(value));
      } else if (raw.startsWith('[') && /^-?\d+$/.test(part)) {
        if (Array.isArray(value)) {
          const item = value.at(Number(part));
          if (item !== undefined) next.push(item);
        }
      } else if (value && typeof value === 'object' && !Array.isArray(value) && part in value) {
        next.push(value[part] as JsonValue);
      }
    }
    current = next;
  }
  return current;
}

function processInline(expression: string, data: JsonValue): JsonValue | undefined {
  if (!expression) throw new TemplateError('Empty expression found');
  const found = findPath(expression, data);
  if (found.length === 0) return undefined;
  return found.length > 1 ? found : (found[0] as JsonValue);
}

function processString(value: string, data: JsonValue): JsonValue {
  const direct = /^\$\{([^}]*)\}$/.exec(value);
  if (direct) return processInline(direct[1] ?? '', data) ?? null;
  return value.replace(INLINE, (_m, expression: string) => {
    const result = processInline(expression, data);
    if (result === undefined) return '(none)';
    if (Array.isArray(result) && result.length > 1) return result.map((r) => pyStr(r)).join(',');
    return pyStr(result);
  });
}

function applyTemplate(obj: JsonValue, data: JsonValue): JsonValue {
  if (typeof obj === 'string') return processString(obj, data);
  if (Array.isArray(obj)) return obj.map((item) => applyTemplate(item, data));
  if (obj && typeof obj === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(obj)) out[pyStr(processString(k, data))] = applyTemplate(v, data);
    return out;
  }
  return obj;
}

/** `JSONTemplate(template_string)`: parsed and checked against `{}`; throws TemplateError like Quay. */
export function parseTemplate(template: string): JsonValue {
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(template) as JsonValue;
  } catch (err) {
    // Quay quotes Python's json error ("Expecting value: line 1 column 1 (char 0)"); this is Node's.
    throw new TemplateError(`Could not parse template: ${(err as Error).message}`);
  }
  applyTemplate(parsed, {});
  return parsed;
}

/** `build_repository_event_data`. */
export function repositoryEventData(
  rt: Runtime,
  repo: RepoRecord,
  extra: { [key: string]: JsonValue },
): { [key: string]: JsonValue } {
  const repoString = `${repo.namespace}/${repo.name}`;
  const scheme = rt.options.preferredUrlScheme ?? rt.scheme;
  return {
    repository: repoString,
    namespace: repo.namespace,
    name: repo.name,
    docker_url: `${rt.serverHostname}/${repoString}`,
    homepage: `${scheme}://${rt.serverHostname}/repository/${repoString}`,
    ...extra,
  };
}

interface HttpAnswer {
  status: number;
  location: string | undefined;
}

export class NotificationWorker {
  /** Every job outcome so far, oldest first. */
  readonly deliveries: NotificationDelivery[] = [];
  readonly #jobs: Job[] = [];
  #sinceSettle: NotificationDelivery[] = [];
  #running: Promise<void> | null = null;
  #closed = false;
  readonly #inflight = new Set<{ destroy: (err: Error) => void }>();

  constructor(private readonly rt: Runtime) {}

  /** `spawn_notification(repo, event, extra_data)`: a job per notification of that event, worked later. */
  spawn(repo: RepoRecord, event: string, extra: { [key: string]: JsonValue }): number {
    const eventData = repositoryEventData(this.rt, repo, extra);
    const matching = repo.notifications.filter((n) => n.event === event);
    for (const n of matching) {
      this.#jobs.push({
        id: this.rt.state.nextId(),
        notificationUuid: n.uuid,
        eventData,
        availableAtMs: this.rt.clock.nowMs(),
        retriesRemaining: QUEUE_RETRIES,
        attempts: 0,
      });
    }
    return matching.length;
  }

  /** Jobs not finished yet (available now or waiting for their retry time). */
  get pending(): number {
    return this.#jobs.length;
  }

  /** Starts working the available jobs, unless already working. */
  kick(): void {
    if (this.#running || this.#closed) return;
    this.#running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#drain())
      .finally(() => {
        this.#running = null;
        if (this.#next()) this.kick();
      });
  }

  /** Works every job available now (emulated clock); resolves with the deliveries since the last settle. */
  async settle(): Promise<NotificationDelivery[]> {
    this.kick();
    while (this.#running) await this.#running;
    const out = this.#sinceSettle;
    this.#sinceSettle = [];
    return out;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const req of this.#inflight) req.destroy(new Error('emulator closed'));
    while (this.#running) await this.#running;
  }

  #next(): Job | undefined {
    const now = this.rt.clock.nowMs();
    return this.#jobs.find((j) => j.availableAtMs <= now && j.retriesRemaining > 0);
  }

  async #drain(): Promise<void> {
    for (let job = this.#next(); job && !this.#closed; job = this.#next()) await this.#work(job);
  }

  #finish(job: Job): void {
    const i = this.#jobs.indexOf(job);
    if (i >= 0) this.#jobs.splice(i, 1);
  }

  async #work(job: Job): Promise<void> {
    job.retriesRemaining -= 1;
    job.attempts += 1;
    const found = this.rt.state.findNotification(job.notificationUuid);
    if (!found || found.notification.numberOfFailures >= MAX_FAILURES) {
      this.#finish(job);
      return;
    }
    const { repo, notification } = found;
    const delivery = await this.#perform(repo, notification, job);
    this.deliveries.push(delivery);
    this.#sinceSettle.push(delivery);
    if (delivery.ok) {
      notification.numberOfFailures = 0;
      this.#finish(job);
      return;
    }
    notification.numberOfFailures += 1;
    job.availableAtMs = this.rt.clock.nowMs() + RETRY_AFTER_MS;
    if (job.retriesRemaining <= 0) this.#finish(job);
  }

  async #perform(repo: RepoRecord, n: NotificationRecord, job: Job): Promise<NotificationDelivery> {
    const base: NotificationDelivery = {
      notificationUuid: n.uuid,
      repository: repoKey(repo.namespace, repo.name),
      event: n.event,
      method: n.method,
      eventData: job.eventData,
      performed: false,
      url: '',
      headers: {},
      body: '',
      status: null,
      ok: true,
      error: null,
      attempt: job.attempts,
      atMs: this.rt.clock.nowMs(),
    };
    if (n.method !== 'webhook') return base;
    const url = n.config.url;
    if (typeof url !== 'string' || url === '') return base;
    if (webhookUrlProblem(url, this.rt.options.webhookHostnameBlacklist) !== undefined) return base;
    let payload: JsonValue = job.eventData;
    const template = n.config.template;
    if (typeof template === 'string' && template !== '') {
      try {
        payload = applyTemplate(parseTemplate(template), job.eventData);
      } catch (err) {
        return { ...base, url, ok: false, error: (err as Error).message };
      }
    }
    const body = pyJson(payload);
    const headers = {
      ...REQUESTS_HEADERS,
      'Content-type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
    };
    const sent = { ...base, performed: true, url, headers, body };
    try {
      const status = await this.#post(url, headers, body);
      if (Math.floor(status / 100) !== 2) {
        return { ...sent, status, ok: false, error: `${status} response for webhook to url: ${url}` };
      }
      return { ...sent, status };
    } catch (err) {
      return { ...sent, ok: false, error: (err as Error).message };
    }
  }

  /** `requests.post(url, data, headers, cert, timeout)`, redirects followed as `requests` follows them. */
  async #post(url: string, headers: Record<string, string>, body: string): Promise<number> {
    let method = 'POST';
    let target = new URL(url);
    let sendHeaders = headers;
    let sendBody: string | undefined = body;
    for (let hop = 0; ; hop++) {
      const answer = await this.#send(method, target, sendHeaders, sendBody);
      if (![301, 302, 303, 307, 308].includes(answer.status) || answer.location === undefined) {
        return answer.status;
      }
      if (hop >= MAX_REDIRECTS) throw new Error(`Exceeded ${MAX_REDIRECTS} redirects.`);
      target = new URL(answer.location, target);
      if (answer.status !== 307 && answer.status !== 308) {
        // `rebuild_method` and the purge of body headers for a redirect that is not 307/308.
        method = 'GET';
        sendBody = undefined;
        const { 'Content-type': _t, 'Content-Length': _l, ...rest } = sendHeaders;
        sendHeaders = rest;
      }
    }
  }

  #send(
    method: string,
    target: URL,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<HttpAnswer> {
    const { options } = this.rt;
    const hosts = options.webhookHosts;
    const lookup: LookupFunction = (hostname, opts, callback) => {
      const mapped = hosts[hostname];
      if (mapped === undefined) {
        dnsLookup(hostname, opts, callback);
        return;
      }
      const family = isIP(mapped) === 6 ? 6 : 4;
      if ((opts as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [{ address: mapped, family }]);
      } else callback(null, mapped, family);
    };
    const timeoutMs = options.notificationSendTimeoutS * 1000;
    const base: RequestOptions = {
      method,
      headers: { ...headers, Host: target.host },
      lookup,
      timeout: timeoutMs,
      // requests.post makes and closes a Session per call: no connection outlives the delivery.
      agent: false,
    };
    const https = target.protocol === 'https:';
    const tlsOptions =
      https && options.webhookCa !== undefined
        ? { ca: [...rootCertificates, ...[options.webhookCa].flat()] }
        : {};
    // `_ssl_cert()`: with PREFERRED_URL_SCHEME https Quay presents its own ssl.cert/ssl.key as client cert.
    const clientCert =
      https && (options.preferredUrlScheme ?? this.rt.scheme) === 'https' && options.tls
        ? { cert: options.tls.cert, key: options.tls.key }
        : {};
    return new Promise<HttpAnswer>((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        // `requests` reads the whole answer (stream=False).
        res.resume();
        res.on('end', () => {
          res.socket?.destroy();
          resolve({ status: res.statusCode ?? 0, location: res.headers.location });
        });
        res.on('error', reject);
      };
      const req = https
        ? httpsRequest(target, { ...base, ...tlsOptions, ...clientCert }, onResponse)
        : httpRequest(target, base, onResponse);
      this.#inflight.add(req);
      req.on('close', () => this.#inflight.delete(req));
      req.on('timeout', () =>
        req.destroy(new Error(`Read timed out. (read timeout=${options.notificationSendTimeoutS})`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
