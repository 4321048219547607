import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { BrokerRequest, RequestState } from '../requests/model';
import type { WorkerDeps } from '../worker/deps';
import { hasTimeLeft, type RunBudget } from './budget';

const PAGE_SIZE = 100;

/**
 * Yields the requests in one state from the byState index, least recently updated first, page by
 * page within the run's budget. With `updatedBeforeEpochMs`, only requests updated before it.
 */
export async function* requestsInState(
  deps: WorkerDeps,
  budget: RunBudget,
  state: RequestState,
  updatedBeforeEpochMs?: number,
): AsyncGenerator<BrokerRequest> {
  const values: Record<string, unknown> = { ':state': state };
  let keyCondition = '#state = :state';
  if (updatedBeforeEpochMs !== undefined) {
    values[':cutoff'] = updatedBeforeEpochMs;
    keyCondition += ' AND updatedAtEpochMs < :cutoff';
  }

  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < budget.maxPages && hasTimeLeft(budget); page += 1) {
    const output: QueryCommandOutput = await deps.dynamo.send(
      new QueryCommand({
        TableName: deps.config.requestsTableName,
        IndexName: 'byState',
        KeyConditionExpression: keyCondition,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
        Limit: PAGE_SIZE,
      }),
    );
    yield* (output.Items ?? []) as BrokerRequest[];

    startKey = output.LastEvaluatedKey;
    if (startKey === undefined) return;
  }
}
