import { AppInstanceType, AppType } from '@aws-sdk/client-sagemaker';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  activeByAppTypeAttribute,
  activeByInstanceTypeAttribute,
  domainPartitionKey,
  maxByAppTypeAttribute,
  maxByInstanceTypeAttribute,
  USAGE_SORT_KEY,
} from './keys';

type AppTypeValue = (typeof AppType)[keyof typeof AppType];
type AppInstanceTypeValue = (typeof AppInstanceType)[keyof typeof AppInstanceType];

const appTypes = Object.values(AppType) as [AppTypeValue, ...AppTypeValue[]];
const appInstanceTypes = Object.values(AppInstanceType) as [AppInstanceTypeValue, ...AppInstanceTypeValue[]];

/** Upper bound of every limit in a policy; far above any SageMaker account quota. */
export const MAX_POLICY_LIMIT = 10_000;

const limitSchema = z.number().int().min(0).max(MAX_POLICY_LIMIT);

/**
 * A domain's quota policy, as `PUT /domains/{domainId}/quota` accepts it. Instance types and app
 * types are the enum values of the installed `@aws-sdk/client-sagemaker`. A limit of 0 rejects
 * every request it covers.
 */
export const domainPolicySchema = z
  .object({
    maxActiveApps: limitSchema.meta({ description: 'Active apps the domain may hold in all' }),
    maxActiveAppsByInstanceType: z
      .partialRecord(z.enum(appInstanceTypes), limitSchema)
      .optional()
      .meta({ description: 'Active apps per instance type, e.g. { "ml.g5.xlarge": 2 }' }),
    maxActiveAppsByAppType: z
      .partialRecord(z.enum(appTypes), limitSchema)
      .optional()
      .meta({ description: 'Active apps per app type, e.g. { "KernelGateway": 4 }' }),
  })
  .strict()
  .meta({ id: 'DomainPolicy' });

export type DomainPolicy = z.infer<typeof domainPolicySchema>;

export const domainQuotaSchema = z
  .object({
    domainId: z.string(),
    policy: domainPolicySchema.nullable().meta({ description: 'null when the domain has no policy and the default applies' }),
    defaultMaxActiveApps: z.union([z.number().int(), z.literal('reject')]).meta({
      description: "Limit of a domain without a policy (DEFAULT_DOMAIN_MAX_ACTIVE_APPS); 'reject' fails its requests",
    }),
    usage: z.object({
      activeApps: z.number().int(),
      activeAppsByInstanceType: z.record(z.string(), z.number().int()),
      activeAppsByAppType: z.record(z.string(), z.number().int()),
    }),
    policyVersion: z.number().int().meta({ description: 'Incremented by every policy write; 0 before the first' }),
  })
  .meta({ id: 'DomainQuota', description: "A domain's quota policy and its current usage counters" });

export type DomainQuota = z.infer<typeof domainQuotaSchema>;

/** Raised when other policy writes for the same domain kept winning the race; retrying later succeeds. */
export class PolicyWriteConflictError extends Error {
  constructor(readonly domainId: string) {
    super(`The quota policy of domain ${domainId} changed during the write; retry it`);
    this.name = 'PolicyWriteConflictError';
  }
}

const MAX_INSTANCE_TYPE_PREFIX = maxByInstanceTypeAttribute('');
const MAX_APP_TYPE_PREFIX = maxByAppTypeAttribute('');
const ACTIVE_INSTANCE_TYPE_PREFIX = activeByInstanceTypeAttribute('');
const ACTIVE_APP_TYPE_PREFIX = activeByAppTypeAttribute('');
const MAX_POLICY_WRITE_ATTEMPTS = 3;

type UsageItem = Record<string, unknown>;

function countsWithPrefix(item: UsageItem, prefix: string): Record<string, number> {
  const entries = Object.entries(item)
    .filter(([name, value]) => name.startsWith(prefix) && typeof value === 'number')
    .map(([name, value]) => [name.slice(prefix.length), value as number]);
  return Object.fromEntries(entries);
}

function policyOf(item: UsageItem): DomainPolicy | null {
  if (typeof item.maxActiveApps !== 'number') return null;

  const byInstanceType = countsWithPrefix(item, MAX_INSTANCE_TYPE_PREFIX);
  const byAppType = countsWithPrefix(item, MAX_APP_TYPE_PREFIX);
  return {
    maxActiveApps: item.maxActiveApps,
    ...(Object.keys(byInstanceType).length > 0 ? { maxActiveAppsByInstanceType: byInstanceType } : {}),
    ...(Object.keys(byAppType).length > 0 ? { maxActiveAppsByAppType: byAppType } : {}),
  };
}

function toDomainQuota(domainId: string, item: UsageItem, defaultMaxActiveApps: number | 'reject'): DomainQuota {
  return {
    domainId,
    policy: policyOf(item),
    defaultMaxActiveApps,
    usage: {
      activeApps: typeof item.active === 'number' ? item.active : 0,
      activeAppsByInstanceType: countsWithPrefix(item, ACTIVE_INSTANCE_TYPE_PREFIX),
      activeAppsByAppType: countsWithPrefix(item, ACTIVE_APP_TYPE_PREFIX),
    },
    policyVersion: typeof item.policyVersion === 'number' ? item.policyVersion : 0,
  };
}

async function readUsageItem(client: DynamoDBDocumentClient, tableName: string, domainId: string): Promise<UsageItem> {
  const output = await client.send(
    new GetCommand({ TableName: tableName, Key: { pk: domainPartitionKey(domainId), sk: USAGE_SORT_KEY }, ConsistentRead: true }),
  );
  return output.Item ?? {};
}

/** Reads a domain's policy and usage counters from its usage item; a domain never seen has neither. */
export async function readDomainQuota(
  client: DynamoDBDocumentClient,
  tableName: string,
  domainId: string,
  defaultMaxActiveApps: number | 'reject',
): Promise<DomainQuota> {
  return toDomainQuota(domainId, await readUsageItem(client, tableName, domainId), defaultMaxActiveApps);
}

/** Maps a policy to the attributes a write sets, named as the reservation's condition reads them. */
function policyAttributes(policy: DomainPolicy): Map<string, number> {
  const attributes = new Map<string, number>([['maxActiveApps', policy.maxActiveApps]]);
  for (const [instanceType, limit] of Object.entries(policy.maxActiveAppsByInstanceType ?? {})) {
    attributes.set(maxByInstanceTypeAttribute(instanceType), limit);
  }
  for (const [appType, limit] of Object.entries(policy.maxActiveAppsByAppType ?? {})) {
    attributes.set(maxByAppTypeAttribute(appType), limit);
  }
  return attributes;
}

function isPolicyAttribute(name: string): boolean {
  return name === 'maxActiveApps' || name.startsWith(MAX_INSTANCE_TYPE_PREFIX) || name.startsWith(MAX_APP_TYPE_PREFIX);
}

function policyUpdate(tableName: string, domainId: string, policy: DomainPolicy, current: UsageItem, nowEpochMs: number): UpdateCommand {
  const wanted = policyAttributes(policy);
  const stale = Object.keys(current).filter((name) => isPolicyAttribute(name) && !wanted.has(name));
  const currentVersion = typeof current.policyVersion === 'number' ? current.policyVersion : undefined;

  const names: Record<string, string> = { '#version': 'policyVersion', '#updatedAt': 'policyUpdatedAtEpochMs', '#domainId': 'domainId' };
  const values: Record<string, unknown> = { ':nextVersion': (currentVersion ?? 0) + 1, ':now': nowEpochMs, ':domainId': domainId };
  const setClauses = ['#version = :nextVersion', '#updatedAt = :now', '#domainId = :domainId'];
  [...wanted].forEach(([name, limit], index) => {
    names[`#set${index}`] = name;
    values[`:set${index}`] = limit;
    setClauses.push(`#set${index} = :set${index}`);
  });
  const removeNames = stale.map((name, index) => {
    names[`#remove${index}`] = name;
    return `#remove${index}`;
  });

  // Optimistic lock on policyVersion: an attribute that another write added after our read
  // would otherwise survive this write, because REMOVE names only what the read saw.
  let condition = 'attribute_not_exists(#version)';
  if (currentVersion !== undefined) {
    condition = '#version = :currentVersion';
    values[':currentVersion'] = currentVersion;
  }

  return new UpdateCommand({
    TableName: tableName,
    Key: { pk: domainPartitionKey(domainId), sk: USAGE_SORT_KEY },
    UpdateExpression: `SET ${setClauses.join(', ')}` + (removeNames.length > 0 ? ` REMOVE ${removeNames.join(', ')}` : ''),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
}

/**
 * Replaces a domain's policy on its usage item: sets `maxActiveApps` and one `max#…` attribute per
 * listed type, and removes the `max#…` attributes of types the new policy no longer lists. The
 * usage counters are left alone, so reservations in flight keep their slots. A limit lowered
 * below the current usage admits nothing until usage falls under it.
 */
export async function writeDomainPolicy(
  client: DynamoDBDocumentClient,
  tableName: string,
  domainId: string,
  policy: DomainPolicy,
  defaultMaxActiveApps: number | 'reject',
  nowEpochMs: number,
): Promise<DomainQuota> {
  for (let attempt = 1; attempt <= MAX_POLICY_WRITE_ATTEMPTS; attempt += 1) {
    const current = await readUsageItem(client, tableName, domainId);
    try {
      const output = await client.send(policyUpdate(tableName, domainId, policy, current, nowEpochMs));
      return toDomainQuota(domainId, output.Attributes ?? {}, defaultMaxActiveApps);
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
  throw new PolicyWriteConflictError(domainId);
}
