import type { BrokerRequest } from '../requests/model';
import { ApiError } from './errors';

/** Principal that sends a request to the submit function, and whether it may see every request. */
export interface Caller {
  /** IAM principal ARN (HTTP), rule ARN (EventBridge) or the `callerArn` of a direct invocation. */
  arn: string;
  isAdmin: boolean;
}

/** Caller of a direct invocation or bare CreateApp input that names no `callerArn`. */
export const DIRECT_INVOCATION_CALLER_ARN = 'direct-invocation';

const ASSUMED_ROLE_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/;
const ROLE_ARN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.+\/)?([^/]+)$/;

/**
 * Tells whether `callerArn` is one of `adminPrincipalArns`. Besides an exact match, an STS
 * assumed-role session (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) matches the IAM role it
 * came from (`arn:aws:iam::ACCOUNT:role/ROLE`, with or without a role path), because that is the
 * ARN API Gateway's IAM authorizer reports for every caller using that role.
 */
export function isAdminPrincipal(callerArn: string, adminPrincipalArns: readonly string[]): boolean {
  if (adminPrincipalArns.includes(callerArn)) return true;

  const session = ASSUMED_ROLE_ARN.exec(callerArn);
  if (session === null) return false;

  const [, partition, account, roleName] = session;
  return adminPrincipalArns.some((adminArn) => {
    const role = ROLE_ARN.exec(adminArn);
    return role !== null && role[1] === partition && role[2] === account && role[3] === roleName;
  });
}

export function callerOf(arn: string, adminPrincipalArns: readonly string[]): Caller {
  return { arn, isAdmin: isAdminPrincipal(arn, adminPrincipalArns) };
}

/** Tells whether the caller may read or cancel the request: its own requests, or any for an admin. */
export function canAccess(caller: Caller, request: Pick<BrokerRequest, 'callerArn'>): boolean {
  return caller.isAdmin || request.callerArn === caller.arn;
}

/** Raises a 403 ApiError unless the caller is an admin; `action` completes "may …" in the message. */
export function assertAdmin(caller: Caller, action: string): void {
  if (caller.isAdmin) return;
  throw new ApiError(403, 'Forbidden', `Only principals in ADMIN_PRINCIPAL_ARNS may ${action}; ${caller.arn} is not one of them`);
}
