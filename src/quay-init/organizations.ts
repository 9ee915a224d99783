import type { QuayClient } from '../quay/client.js';
import { recordItemFailure } from '../report/item-failure.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';

export interface OrganizationSpec {
  name: string;
  state: 'present' | 'absent';
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
      if (wanted) await deps.quay.createOrganization(org.name);
      else await deps.quay.deleteOrganization(org.name);
      const action = wanted ? 'created' : 'deleted';
      deps.report.add({ ref, action });
      deps.log.info(`${ref}: ${action}`);
    } catch (error) {
      recordItemFailure(deps, ref, error);
    }
  }
}
