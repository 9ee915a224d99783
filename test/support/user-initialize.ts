/** `POST /api/v1/user/initialize` on a Quay (real or emulated) with no user yet: the first user's API token. */
export async function initializeFirstUser(
  url: string,
  username: string,
  password: string,
  email = `${username}@example.com`,
): Promise<string> {
  const response = await fetch(`${url}/api/v1/user/initialize`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password, email, access_token: true }),
  });
  const body = (await response.json()) as { access_token?: string; message?: string };
  if (response.status !== 200 || !body.access_token)
    throw new Error(`user/initialize: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
