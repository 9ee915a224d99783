/**
 * Quay ≤ 3.17 with FEATURE_MAILING refuses an organization without a contact email (v3.17.4
 * endpoints/api/organization.py OrganizationList.post: 400 "Email address is required"); told by the answer,
 * not guessed from a version. Newer Quay only checks an email that is given.
 */
export function emailRequiredHint(error: unknown, remedy: string): Error | undefined {
  const text = error instanceof Error ? error.message : String(error);
  if (!/Email address is required/.test(text)) return undefined;
  return new Error(
    `this Quay requires a contact email for every new organization (Quay ≤ 3.17 with FEATURE_MAILING), ` +
      `unique per organization unless FEATURE_ORG_SHARED_EMAIL: ${remedy}`,
  );
}
