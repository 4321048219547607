import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { domainPartitionKey, USAGE_SORT_KEY } from '../../functions/quota/keys';

/** Reads a domain's usage item (policy and counters) straight from the quotas table. */
export async function readUsage(client: DynamoDBDocumentClient, tableName: string, domainId: string): Promise<Record<string, any>> {
  const output = await client.send(new GetCommand({ TableName: tableName, Key: { pk: domainPartitionKey(domainId), sk: USAGE_SORT_KEY }, ConsistentRead: true }));
  return output.Item ?? {};
}

/** Stores a total quota for a domain on its usage item, as the quota API does. */
export async function setDomainMaxActiveApps(client: DynamoDBDocumentClient, tableName: string, domainId: string, maxActiveApps: number, extra: Record<string, number> = {}): Promise<void> {
  const current = await readUsage(client, tableName, domainId);
  await client.send(new PutCommand({ TableName: tableName, Item: { ...current, pk: domainPartitionKey(domainId), sk: USAGE_SORT_KEY, domainId, maxActiveApps, ...extra } }));
}
