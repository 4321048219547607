/**
 * App identity: (DomainId, owner, AppType, AppName), where the owner is a user profile or a space.
 * The same four values form the path of the app ARN.
 */
import type { AppIdentity } from './types';

export interface AppOwner {
  kind: 'UserProfile' | 'Space';
  name: string;
}

/** Returns the owner of a validated identity, which has exactly one of UserProfileName or SpaceName. */
export function ownerOf(identity: AppIdentity): AppOwner {
  if (identity.SpaceName !== undefined) {
    return { kind: 'Space', name: identity.SpaceName };
  }
  return { kind: 'UserProfile', name: identity.UserProfileName ?? '' };
}

/** Key `DomainId/owner/AppType/AppName`; user profile and space names share one namespace here. */
export function identityKey(identity: AppIdentity): string {
  return `${identity.DomainId}/${ownerOf(identity).name}/${identity.AppType}/${identity.AppName}`;
}

export function appArn(region: string, accountId: string, identity: AppIdentity): string {
  const owner = ownerOf(identity).name;
  const appTypeSegment = identity.AppType.toLowerCase();
  return `arn:aws:sagemaker:${region}:${accountId}:app/${identity.DomainId}/${owner}/${appTypeSegment}/${identity.AppName}`;
}

/** Names the app in messages: `App [name] of type [type] for UserProfile [owner] in domain [id]`. */
export function describeApp(identity: AppIdentity): string {
  const owner = ownerOf(identity);
  return `App [${identity.AppName}] of type [${identity.AppType}] for ${owner.kind} [${owner.name}] in domain [${identity.DomainId}]`;
}

/** Copies only the identity members, dropping an absent owner member. */
export function pickIdentity(identity: AppIdentity): AppIdentity {
  const picked: AppIdentity = { DomainId: identity.DomainId, AppType: identity.AppType, AppName: identity.AppName };
  if (identity.UserProfileName !== undefined) {
    picked.UserProfileName = identity.UserProfileName;
  }
  if (identity.SpaceName !== undefined) {
    picked.SpaceName = identity.SpaceName;
  }
  return picked;
}
