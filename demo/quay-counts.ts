/**
 * How many organizations, robots and repositories a Quay holds, read as a superuser over its REST API
 * (`/api/v1/superuser/organizations/`, then each organization's robots and repositories): the numbers of
 * the demo's closing line.
 */

export interface QuayCounts {
  organizations: number;
  robots: number;
  repositories: number;
}

export async function countOnQuay(url: string, token: string): Promise<QuayCounts> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(new URL(path, url), { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200)
      throw new Error(`GET ${url}${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const { organizations } = await get<{ organizations: { name: string }[] }>(
    '/api/v1/superuser/organizations/',
  );
  let robots = 0;
  let repositories = 0;
  for (const { name } of organizations) {
    const org = encodeURIComponent(name);
    robots += (await get<{ robots: unknown[] }>(`/api/v1/organization/${org}/robots`)).robots.length;
    let page: string | undefined;
    do {
      const next = page === undefined ? '' : `&next_page=${encodeURIComponent(page)}`;
      const listed = await get<{ repositories: unknown[]; next_page?: string }>(
        `/api/v1/repository?namespace=${org}${next}`,
      );
      repositories += listed.repositories.length;
      page = listed.next_page;
    } while (page !== undefined);
  }
  return { organizations: organizations.length, robots, repositories };
}
