import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BrokerRequest, RequestState } from '../functions/requests/model';
import { runWithConcurrency, seededRandom } from './stats';

const ITEMS_PER_BATCH = 25;
const DAY_MS = 86_400_000;
/** Share of seeded requests per final state, as in a table that mostly contains finished requests. */
const STATE_MIX: [RequestState, number][] = [
  ['READY', 0.7],
  ['FAILED', 0.2],
  ['CANCELLED', 0.1],
];

function stateFor(value: number): RequestState {
  let cumulative = 0;
  for (const [state, share] of STATE_MIX) {
    cumulative += share;
    if (value < cumulative) return state;
  }
  return 'READY';
}

/** Builds a finished request of the last 30 days, shaped as the submit and worker functions store one. */
export function seededRequest(index: number, random: () => number, nowEpochMs: number): BrokerRequest {
  const createdAtEpochMs = Math.round(nowEpochMs - random() * 30 * DAY_MS);
  const updatedAtEpochMs = createdAtEpochMs + Math.round(random() * 600_000);
  const state = stateFor(random());
  const domainId = `d-seed${index % 50}`;
  const input = { DomainId: domainId, UserProfileName: `user-seed-${index}`, AppType: 'KernelGateway' as const, AppName: `kernel-seed-${index}`, ResourceSpec: { InstanceType: 'ml.m5.large' as const } };
  return {
    requestId: `seed-${index.toString().padStart(7, '0')}`,
    state,
    attempt: 1,
    messageToken: `seed-token-${index}`,
    domainId,
    appType: input.AppType,
    appName: input.AppName,
    ownerKind: 'UserProfile',
    ownerName: input.UserProfileName,
    instanceType: 'ml.m5.large',
    input,
    callerArn: `arn:aws:sts::111122223333:assumed-role/DataScientist/user-${index % 20}`,
    createdAtEpochMs,
    updatedAtEpochMs,
    deadlineEpochMs: createdAtEpochMs + DAY_MS,
    appArn: state === 'READY' ? `arn:aws:sagemaker:us-east-1:111122223333:app/${domainId}/user-seed-${index}/kernelgateway/kernel-seed-${index}` : undefined,
    failure: state === 'FAILED' ? { reason: 'ATTEMPTS_EXHAUSTED', errorName: 'ResourceLimitExceeded', message: 'Gave up after 50 CreateApp attempts' } : undefined,
    history: [{ attempt: 1, atEpochMs: updatedAtEpochMs, outcome: state === 'FAILED' ? 'FAILED' : 'CREATED' }],
    ttlEpochSeconds: Math.floor(updatedAtEpochMs / 1000) + 30 * 86_400,
  };
}

/**
 * Writes seeded requests `fromIndex` up to `toIndex` (exclusive) with BatchWriteItem, 25 items per
 * call and `concurrency` calls in flight, re-sending unprocessed items until none are left.
 */
export async function seedRequests(client: DynamoDBDocumentClient, tableName: string, fromIndex: number, toIndex: number, concurrency = 4): Promise<void> {
  const random = seededRandom(fromIndex + 1);
  const nowEpochMs = Date.now();
  const batches = Math.ceil((toIndex - fromIndex) / ITEMS_PER_BATCH);
  await runWithConcurrency(batches, concurrency, async (batch) => {
    const start = fromIndex + batch * ITEMS_PER_BATCH;
    const end = Math.min(toIndex, start + ITEMS_PER_BATCH);
    let writes: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string] = [];
    for (let index = start; index < end; index += 1) writes.push({ PutRequest: { Item: seededRequest(index, random, nowEpochMs) } });
    while (writes.length > 0) {
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: writes } }));
      writes = output.UnprocessedItems?.[tableName] ?? [];
    }
  });
}
