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

export function holderFromKey(key: string): PermissionHolder {
  const colon = key.indexOf(':');
  const name = key.slice(colon + 1);
  return key.slice(0, colon) === 'team' ? { kind: 'team', name } : { kind: 'user', name };
}

/** In the config's words: `team builders`, `robot acme+ci` (robots are the users with a `+`), `user alice`. */
export function holderWords(holder: PermissionHolder): string {
  if (holder.kind === 'team') return `team ${holder.name}`;
  return holder.name.includes('+') ? `robot ${holder.name}` : `user ${holder.name}`;
}
