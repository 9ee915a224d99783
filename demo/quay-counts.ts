/**
 * How many organizations, robots and repositories a Quay holds, read as a superuser with the project's
 * own Quay client (the superuser organization list, then each organization's robots and repositories):
 * the numbers of the demo's closing line.
 */
import { QuayClient } from '../src/quay/client.js';
import { Redactor } from '../src/secrets/redactor.js';

export interface QuayCounts {
  organizations: number;
  robots: number;
  repositories: number;
}

export async function countOnQuay(url: string, token: string): Promise<QuayCounts> {
  const quay = new QuayClient({ url, token, redactor: new Redactor() });
  try {
    const organizations = await quay.listAllOrganizations();
    let robots = 0;
    let repositories = 0;
    for (const organization of organizations) {
      robots += (await quay.listRobots({ organization })).length;
      repositories += (await quay.listRepositories(organization)).length;
    }
    return { organizations: organizations.length, robots, repositories };
  } finally {
    await quay.close();
  }
}
