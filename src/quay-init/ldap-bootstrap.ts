/**
 * Quay creates its first user only with database authentication (quay-api.md §2). An install that ends
 * on LDAP therefore starts with the LDAP settings taken out, creates the user, then puts them back: the
 * original tool's strip → initialise → restore (its §5.5), here done in one run so the restore cannot be
 * forgotten (the original skipped it when the steps ran separately).
 */
export function usesLdap(config: Readonly<Record<string, unknown>>): boolean {
  return (
    Object.keys(config).some((key) => /ldap/i.test(key)) ||
    String(config.AUTHENTICATION_TYPE ?? '').toUpperCase() === 'LDAP'
  );
}

/** The config with every LDAP key removed, database authentication and user initialisation on. */
export function withoutLdap(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const stripped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) if (!/ldap/i.test(key)) stripped[key] = value;
  return { ...stripped, AUTHENTICATION_TYPE: 'Database', FEATURE_USER_INITIALIZE: true };
}
