/** Name rules Quay enforces (quay-api.md §4.1, §5.1, §6.2, §7.1, §11). */

export const NAMESPACE_REGEX_TEXT = '^([a-z0-9]+(?:[._-][a-z0-9]+)*)$';
const NAMESPACE_REGEX = new RegExp(NAMESPACE_REGEX_TEXT);
const EXTENDED_REPO_NAME = /^(?=.{0,255}$)[a-z0-9][.a-z0-9_-]*(?:\/[a-z0-9][.a-z0-9_-]*)*$/;
const SIMPLE_REPO_NAME = /^[a-z0-9][.a-z0-9_-]{0,254}$/;
export const TAG_REGEX = /^[\w][\w.-]{0,127}$/;
export const DIGEST_REGEX = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
export const SHA256_DIGEST_REGEX = /^sha256:[a-f0-9]{64}$/;
const EMAIL_REGEX = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** `util/validation.py::validate_username`: the problem text, or undefined when valid. */
export function namespaceProblem(name: string): string | undefined {
  if (!NAMESPACE_REGEX.test(name)) return `Namespace must match expression ${NAMESPACE_REGEX_TEXT}`;
  if (name.length < 2 || name.length > 255) return 'Namespace must be between 2 and 255 characters in length';
  return undefined;
}

export function isValidRepoName(name: string, extended: boolean): boolean {
  return (extended ? EXTENDED_REPO_NAME : SIMPLE_REPO_NAME).test(name);
}

export function isValidEmail(email: unknown): email is string {
  return typeof email === 'string' && EMAIL_REGEX.test(email);
}

/** Quay password rule (§2): at least 8 characters and no whitespace. */
export function isValidPassword(password: unknown): password is string {
  return typeof password === 'string' && password.length >= 8 && !/\s/.test(password);
}

/** `ns+short` → [ns, short]; undefined when not a robot name (§5.1). */
export function parseRobotName(name: string): [string, string] | undefined {
  const i = name.indexOf('+');
  if (i <= 0 || i === name.length - 1) return undefined;
  return [name.slice(0, i), name.slice(i + 1)];
}
