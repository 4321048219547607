/**
 * Account limits per (AppType, InstanceType), and the ResourceLimitExceeded text SageMaker sends
 * when CreateApp would exceed one.
 */
import { resourceLimitExceeded, type ServiceError } from './errors';

export const DEFAULT_LIMIT = 10;

export function limitKey(appType: string, instanceType: string): string {
  return `${appType}/${instanceType}`;
}

export class LimitTable {
  private readonly limits = new Map<string, number>();

  constructor(
    initialLimits: Record<string, number> = {},
    private readonly defaultLimit = DEFAULT_LIMIT,
  ) {
    for (const [key, limit] of Object.entries(initialLimits)) {
      this.limits.set(key, checkedLimit(limit, key));
    }
  }

  get(appType: string, instanceType: string): number {
    return this.limits.get(limitKey(appType, instanceType)) ?? this.defaultLimit;
  }

  set(appType: string, instanceType: string, limit: number): void {
    const key = limitKey(appType, instanceType);
    this.limits.set(key, checkedLimit(limit, key));
  }
}

function checkedLimit(limit: number, key: string): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`Invalid limit ${limit} for '${key}': expected an integer of 0 or more.`);
  }
  return limit;
}

/**
 * Returns the Service Quotas name of an app limit. KernelGateway quota names end in "instance",
 * JupyterLab and CodeEditor quota names end in "instances", and RSessionGateway quota names have no
 * "Studio" prefix.
 */
export function quotaName(appType: string, instanceType: string): string {
  if (appType === 'JupyterLab' || appType === 'CodeEditor') {
    return `Studio ${appType} Apps running on ${instanceType} instances`;
  }
  if (appType === 'RSessionGateway') {
    return `RSessionGateway Apps running on ${instanceType} instance`;
  }
  // NOTE: the quota names of other app types (JupyterServer, TensorBoard, …) are a guess in the KernelGateway form.
  return `Studio ${appType} Apps running on ${instanceType} instance`;
}

export function limitExceededError(appType: string, instanceType: string, limit: number, current: number): ServiceError {
  return resourceLimitExceeded(
    `The account-level service limit '${quotaName(appType, instanceType)}' is ${limit} Apps, ` +
      `with current utilization of ${current} Apps and a request delta of 1 Apps. ` +
      'Please use AWS Service Quotas to request an increase for this quota. ' +
      'If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.',
  );
}
