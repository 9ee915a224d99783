import type { QuayClient } from '../quay/client.js';
import { emailRequiredHint } from '../quay/organization-email.js';
import { recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

export interface OrganizationSpec {
  name: string;
  state: 'present' | 'absent';
  email?: string;
  /** The config key a missing email is set at, for the message when Quay requires one. */
  emailKey: string;
}

/** Creates the organizations marked present and deletes those marked absent; each failure is its own item. */
export async function ensureOrganizations(
  organizations: readonly OrganizationSpec[],
  deps: { quay: QuayClient; report: Report; log: Logger; dryRun: boolean },
): Promise<void> {
  for (const org of organizations) {
    const ref = `org/${org.name}`;
    try {
      const exists = (await deps.quay.getOrganization(org.name)) !== undefined;
      const wanted = org.state === 'present';
      if (exists === wanted) {
        deps.report.add({ ref, action: 'unchanged', detail: wanted ? 'present' : 'absent' });
        deps.log.info(`${ref}: unchanged`);
        continue;
      }
      if (deps.dryRun) {
        deps.report.add({ ref, action: 'planned', detail: wanted ? 'would create' : 'would delete' });
        continue;
      }
      if (wanted)
        await deps.quay.createOrganization(org.name, org.email).catch((error: unknown) => {
          throw emailRequiredHint(error, `set ${org.emailKey}, e.g. ${org.name}@example.com`) ?? error;
        });
      else await deps.quay.deleteOrganization(org.name);
      const action = wanted ? 'created' : 'deleted';
      deps.report.add({ ref, action });
      deps.log.info(`${ref}: ${action}`);
    } catch (error) {
      recordItemFailure(deps, ref, error);
    }
  }
}
