import type { QuayClient } from '../quay/client.js';
import { QuayApiError } from '../quay/errors.js';
import { errorMessage, recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

/** Quay's team of organization administrators, created with every organization (quay-api.md §4.1). */
const OWNERS_TEAM = 'owners';

/**
 * Makes each user a member of team `owners` in every organization of the instance (superuser listing).
 * Membership of `owners` is checked, not of any team (the original's defect 14).
 */
export async function takeOwnership(
  users: readonly string[],
  deps: { quay: QuayClient; report: Report; log: Logger; dryRun: boolean },
): Promise<void> {
  if (users.length === 0) return;
  const organizations = await deps.quay.listAllOrganizations();
  for (const org of organizations) {
    let owners: string[];
    try {
      owners = await deps.quay.teamMembers(org, OWNERS_TEAM);
    } catch (error) {
      let message = errorMessage(error);
      if (error instanceof QuayApiError && error.status === 403) {
        message +=
          '. A superuser administers organizations it does not belong to only with FEATURE_SUPERUSERS_FULL_ACCESS: true';
      }
      for (const user of users)
        deps.report.add({ ref: `ownership/${org}/${user}`, action: 'failed', error: message });
      continue;
    }
    for (const user of users) {
      const ref = `ownership/${org}/${user}`;
      if (owners.includes(user)) {
        deps.report.add({ ref, action: 'unchanged' });
        continue;
      }
      if (deps.dryRun) {
        deps.report.add({ ref, action: 'planned', detail: `would add ${user} to team owners` });
        continue;
      }
      try {
        const { invited } = await deps.quay.addTeamMember(org, OWNERS_TEAM, user);
        if (invited) {
          const error = `Quay only invited ${user} (not in the organization; FEATURE_MAILING and FEATURE_REQUIRE_TEAM_INVITE are on): the invitation must be accepted, or set FEATURE_REQUIRE_TEAM_INVITE: false`;
          deps.report.add({ ref, action: 'failed', error });
          deps.log.error(`${ref}: ${error}`);
          continue;
        }
        deps.report.add({ ref, action: 'updated', detail: `${user} added to team owners` });
        deps.log.info(`${ref}: added to team owners`);
      } catch (error) {
        recordItemFailure(deps, ref, error);
      }
    }
  }
}
