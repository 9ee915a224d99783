import type { PermissionHolder } from '../quay/api/repository-settings.js';

/** A declared permission holder: exactly one of user, robot or team (the schema checks it). */
export interface DeclaredHolder {
  user?: string | undefined;
  robot?: string | undefined;
  team?: string | undefined;
}

/** To Quay a robot is a user named `ns+name`. */
export function holderOf(declared: DeclaredHolder): PermissionHolder {
  if (declared.team !== undefined) return { kind: 'team', name: declared.team };
  return { kind: 'user', name: declared.user ?? declared.robot ?? '' };
}

/** `user:alice`, `team:builders`: the key of a holder in Quay's permission listings. */
export function holderKey(holder: PermissionHolder): string {
  return `${holder.kind}:${holder.name}`;
}

/** As the user wrote it: `team builders`, `robot acme+ci`. */
export function holderWords(declared: DeclaredHolder): string {
  if (declared.team !== undefined) return `team ${declared.team}`;
  if (declared.robot !== undefined) return `robot ${declared.robot}`;
  return `user ${declared.user}`;
}

/** A holder key from Quay's answer in the same words (robots are the users with a `+`). */
export function keyWords(key: string): string {
  const [kind, ...rest] = key.split(':');
  const name = rest.join(':');
  if (kind === 'team') return `team ${name}`;
  return name.includes('+') ? `robot ${name}` : `user ${name}`;
}
