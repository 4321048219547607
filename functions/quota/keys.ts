/** Keys and attribute names of the quotas table, shared by the reservation, release and policy code. */

export const USAGE_SORT_KEY = 'USAGE';
export const HOLD_PARTITION_KEY = 'HOLD';

export function domainPartitionKey(domainId: string): string {
  return `DOMAIN#${domainId}`;
}

export function slotSortKey(requestId: string): string {
  return `SLOT#${requestId}`;
}

export function holdSortKey(appType: string, instanceType: string): string {
  return `${appType}/${instanceType}`;
}

/** Usage-item attribute counting the domain's active apps of one instance type. */
export function activeByInstanceTypeAttribute(instanceType: string): string {
  return `active#instanceType#${instanceType}`;
}

export function activeByAppTypeAttribute(appType: string): string {
  return `active#appType#${appType}`;
}

export function maxByInstanceTypeAttribute(instanceType: string): string {
  return `max#instanceType#${instanceType}`;
}

export function maxByAppTypeAttribute(appType: string): string {
  return `max#appType#${appType}`;
}
