/** Numbers and names read from a ResourceLimitExceeded message. */
export interface LimitMessage {
  /** Service Quotas name, e.g. "Studio KernelGateway Apps running on ml.g5.xlarge instance". */
  quotaName: string;
  limit: number;
  currentUtilization: number;
  requestDelta: number;
  /** Set when the quota is an app quota ("<AppType> Apps running on <instance type> instance(s)"). */
  appType?: string;
  instanceType?: string;
}

const LIMIT_MESSAGE_PATTERN =
  /service\s+limit\s+'(?<name>[^']+)'\s+is\s+(?<limit>\d+(?:\.\d+)?)\s*(?:[A-Za-z]+)?\s*,\s*with\s+current\s+utilization\s+of\s+(?<current>\d+(?:\.\d+)?)\s*(?:[A-Za-z]+)?\s+and\s+a\s+request\s+delta\s+of\s+(?<delta>\d+(?:\.\d+)?)/i;

const APP_QUOTA_NAME_PATTERN =
  /^(?:Studio\s+)?(?<appType>[A-Za-z]+)\s+Apps\s+running\s+on\s+(?<instanceType>ml\.[a-z0-9][a-z0-9.-]*|system)\s+instances?$/i;

/**
 * Parses SageMaker's ResourceLimitExceeded text ("The account-level service limit '<name>' is
 * N Apps, with current utilization of M Apps and a request delta of 1 Apps. ..."), in the
 * wordings SageMaker has used since 2020. Returns undefined for any other text.
 */
export function parseLimitMessage(message: string): LimitMessage | undefined {
  const match = LIMIT_MESSAGE_PATTERN.exec(message);
  if (!match?.groups) return undefined;

  const quotaName = (match.groups.name ?? '').replace(/\s+/g, ' ').trim();
  const appQuota = APP_QUOTA_NAME_PATTERN.exec(quotaName)?.groups;
  return {
    quotaName,
    limit: Number(match.groups.limit),
    currentUtilization: Number(match.groups.current),
    requestDelta: Number(match.groups.delta),
    appType: appQuota?.appType,
    instanceType: appQuota?.instanceType,
  };
}
