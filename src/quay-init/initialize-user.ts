import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QuayInitConfig } from '../config/sections/quay-init.js';
import { HttpError } from '../http/index.js';
import type { QuayClient } from '../quay/client.js';
import { QuayApiError } from '../quay/errors.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

export const INIT_TOKEN_LIFETIME_NOTE =
  'the token from /api/v1/user/initialize expires after 2.5 h (9000 s). For automation that runs later, create an ' +
  'OAuth application in an organization and generate a token for it (UI: Organization → Applications → Generate ' +
  'Token; Quay ≥ 3.18 also: POST /api/v1/organization/{org}/applications/{client_id}/tokens), then store it in ' +
  'the Secret your config reads with {file} or {env}.';

export interface InitializeUserDeps {
  quay: QuayClient;
  report: Report;
  log: Logger;
  dryRun: boolean;
  /** Hands the new token on as a Tekton result / GitHub output (masked in logs). */
  setSecretResult: (name: string, value: string) => void;
  /** Registers the token with the redactor before anything can print it. */
  registerSecret: (value: string) => void;
  /**
   * After the LDAP settings were taken out of the bundle, Quay answers "non-database auth system" until
   * it runs with the new config: retry until this time (epoch ms) instead of failing.
   */
  awaitDatabaseAuthUntil?: number;
}

/**
 * Creates the first user through /api/v1/user/initialize (quay-api.md §2). Quay allows it only on an empty
 * database, so on a second run "non-empty database" means done: reported unchanged. Returns the new token.
 */
export async function initializeFirstUser(
  user: NonNullable<QuayInitConfig['initialUser']>,
  tokenOutput: QuayInitConfig['tokenOutput'],
  deps: InitializeUserDeps,
): Promise<string | undefined> {
  const ref = `user/${user.username}`;
  if (deps.dryRun) {
    deps.report.add({
      ref,
      action: 'planned',
      detail: 'would initialise the first user (only if Quay has no user yet)',
    });
    return undefined;
  }
  let token: string | undefined;
  try {
    const created = await initializeWhenDatabaseAuth(user, deps);
    token = created.access_token;
  } catch (error) {
    if (
      error instanceof QuayApiError &&
      error.cause instanceof HttpError &&
      error.serverMessage?.includes('non-database auth system')
    ) {
      throw new QuayApiError(
        error.cause,
        'Quay uses another authentication (LDAP, OIDC): set quay-init.configBundle.ldapBootstrap: true to create the first user through a temporary database-auth config',
      );
    }
    if (error instanceof QuayApiError && error.serverMessage?.includes('non-empty database')) {
      deps.report.add({ ref, action: 'unchanged', detail: 'Quay already has users: the first user exists' });
      deps.log.info(`${ref}: Quay already has users; nothing to initialise`);
      return undefined;
    }
    throw error;
  }
  if (token === undefined) throw new Error('Quay created the user but returned no access token');
  deps.registerSecret(token);
  deps.report.add({ ref, action: 'created', detail: 'first user; its API token expires after 2.5 h' });
  deps.log.info(`${ref}: created`);
  deps.log.warn(INIT_TOKEN_LIFETIME_NOTE);
  deps.setSecretResult('initial-user-token', token);
  if (tokenOutput?.file) {
    mkdirSync(dirname(tokenOutput.file), { recursive: true });
    writeFileSync(tokenOutput.file, token, { mode: 0o600 });
    chmodSync(tokenOutput.file, 0o600);
    deps.report.add({ ref: `file/${tokenOutput.file}`, action: 'created', detail: 'initial user token' });
  }
  return token;
}

async function initializeWhenDatabaseAuth(
  user: NonNullable<QuayInitConfig['initialUser']>,
  deps: InitializeUserDeps,
) {
  let pause = 500;
  for (;;) {
    try {
      return await deps.quay.initializeUser({
        username: user.username,
        password: user.password.reveal(),
        email: user.email,
      });
    } catch (error) {
      const waiting =
        deps.awaitDatabaseAuthUntil !== undefined &&
        error instanceof QuayApiError &&
        (error.serverMessage?.includes('non-database auth system') ?? false) &&
        Date.now() + pause < deps.awaitDatabaseAuthUntil;
      if (!waiting) throw error;
      deps.log.info(
        `user/${user.username}: Quay still runs with LDAP; waiting for it to pick up database authentication`,
      );
      await sleep(pause);
      pause = Math.min(pause * 2, 5000);
    }
  }
}
