/**
 * The HTTP side: one handler for every request. It logs the request, applies injected faults, routes, runs the
 * API auth gates for API routes, and turns handler results and errors into responses.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Readable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { appRoutes } from './api-apps.js';
import { authenticateApiRequest } from './api-auth.js';
import { notificationRoutes } from './api-notifications.js';
import { orgRoutes } from './api-orgs.js';
import { permissionTeamRoutes } from './api-permissions-teams.js';
import { prototypeRoutes } from './api-prototypes.js';
import { proxyCacheRoutes } from './api-proxycache.js';
import { quotaRoutes } from './api-quota.js';
import { repoRoutes } from './api-repos-tags.js';
import { robotRoutes } from './api-robots.js';
import { userRoutes } from './api-users.js';
import type { RequestContext, Runtime } from './context.js';
import { flaskNotFound, registryError, shapeC, slashRedirect } from './errors.js';
import type { FaultInjector } from './faults.js';
import { HttpError, type HttpResponse, sendResponse } from './http-io.js';
import { ANONYMOUS } from './permissions.js';
import { tokenEndpoint } from './registry-auth.js';
import { blobRoutes } from './registry-blobs.js';
import { registryRoutes } from './registry-v2.js';
import { describeAuth, type RequestLog } from './request-log.js';
import { Router } from './router.js';

export function buildRouter(rt: Runtime): Router<RequestContext> {
  const f = rt.options.features;
  const router = new Router<RequestContext>();
  router.add(
    ...userRoutes({ userInitialize: () => f.userInitialize }),
    ...robotRoutes(),
    ...proxyCacheRoutes(() => f.proxyCache),
    ...appRoutes(),
    ...permissionTeamRoutes(),
    ...notificationRoutes(),
    ...prototypeRoutes(),
    ...quotaRoutes(() => f.superUsers && f.quotaManagement && f.editQuota),
    ...orgRoutes({ superUsers: () => f.superUsers }),
    ...repoRoutes(),
    { method: 'GET', pattern: '/v2/auth', kind: 'registry', handler: tokenEndpoint },
    ...blobRoutes(),
    ...registryRoutes(() => f.referrersApi),
  );
  return router;
}

function isClientAbort(err: unknown, req: IncomingMessage): boolean {
  if (req.destroyed || req.socket.destroyed) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}

/** Sends the headers and only the first `afterBytes` body bytes, then cuts the connection. */
async function sendTruncated(res: ServerResponse, response: HttpResponse, afterBytes: number): Promise<void> {
  const body = response.body;
  const headers = { ...response.headers };
  if (typeof body === 'string' || Buffer.isBuffer(body))
    headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(response.status, headers);
  let left = afterBytes;
  const source = body instanceof Readable ? body : body === undefined ? [] : [Buffer.from(body)];
  for await (const chunk of source) {
    const buf = chunk as Buffer;
    if (left <= 0) break;
    const part = buf.subarray(0, left);
    left -= part.length;
    await new Promise<void>((resolve) => res.write(part, () => resolve()));
  }
  if (body instanceof Readable) body.destroy();
  res.socket?.destroy();
}

function methodNotAllowed(kind: string, allowed: string[]): HttpResponse {
  const response =
    kind === 'registry' ? registryError(405, 'UNSUPPORTED', 'The operation is unsupported.') : shapeC(405);
  return { ...response, headers: { ...response.headers, allow: allowed.join(', ') } };
}

export function createRequestHandler(
  rt: Runtime,
  router: Router<RequestContext>,
  log: RequestLog,
  faults: FaultInjector,
): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const entry = log.start(method, url, describeAuth(req), rt.clock.nowMs());
    const fault = faults.take(method, url.pathname, url.search);
    let truncateAfter: number | undefined;
    if (fault) {
      entry.fault = fault.type;
      if (fault.type === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.type === 'status') {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...fault.headers };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        entry.status = fault.status;
        await sendResponse(res, {
          status: fault.status,
          headers,
          body: fault.body ?? `${JSON.stringify({ message: 'injected fault' })}\n`,
        });
        return;
      }
      if (fault.type === 'delay') {
        // Give up waiting when the client goes away, so a closed emulator has no timer left running.
        const gone = new AbortController();
        res.once('close', () => gone.abort());
        try {
          await delay(fault.ms, undefined, { signal: gone.signal });
        } catch {
          return;
        }
      }
      if (fault.type === 'hold') {
        const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
        if (
          (await Promise.race([
            fault.until.then(
              () => 'go' as const,
              () => 'go' as const,
            ),
            gone,
          ])) !== 'go'
        )
          return;
      }
      if (fault.type === 'truncate') truncateAfter = fault.afterBytes;
    }
    const ctx: RequestContext = {
      rt,
      req,
      method,
      url,
      baseUrl: `${rt.scheme}://${req.headers.host ?? rt.serverHostname}`,
      caller: ANONYMOUS,
      log: entry,
    };
    let response: HttpResponse;
    try {
      const match = router.match(method, url.pathname, url.search);
      if (match.type === 'redirect') response = slashRedirect(match.location);
      else if (match.type === 'not-found') response = flaskNotFound();
      else if (match.type === 'method-not-allowed') response = methodNotAllowed(match.kind, match.allowed);
      else {
        if (match.route.kind === 'api') authenticateApiRequest(ctx, match.route.anonAllowed ?? false);
        response = await match.route.handler(ctx, match.params);
      }
    } catch (err) {
      if (err instanceof HttpError) response = err.response;
      else if (isClientAbort(err, req)) {
        res.destroy();
        return;
      } else {
        rt.internalErrors.push(err instanceof Error ? err : new Error(String(err)));
        response = shapeC(500, 'Internal Server Error');
      }
    }
    entry.status = response.status;
    if (truncateAfter !== undefined) await sendTruncated(res, response, truncateAfter);
    else await sendResponse(res, response);
    response.afterSend?.();
  };
  return (req, res) => {
    handle(req, res).catch(() => {
      // The client went away while we were answering; nothing left to tell it.
      res.destroy();
    });
  };
}

export function createNodeServer(
  rt: Runtime,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const tls = rt.options.tls;
  return tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createHttpServer(handler);
}
