import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from '../shared/transactions';
import type { AttemptRecord, BrokerRequest, RequestState } from './model';

/** Raised by `putNewRequest` when a request with the same id is already stored. */
export class RequestExistsError extends Error {
  constructor(readonly requestId: string) {
    super(`Request ${requestId} already exists`);
    this.name = 'RequestExistsError';
  }
}

export async function putNewRequest(client: DynamoDBDocumentClient, tableName: string, request: BrokerRequest): Promise<void> {
  try {
    await client.send(
      new PutCommand({ TableName: tableName, Item: request, ConditionExpression: 'attribute_not_exists(requestId)' }),
    );
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') throw new RequestExistsError(request.requestId);
    throw error;
  }
}

export async function getRequest(
  client: DynamoDBDocumentClient,
  tableName: string,
  requestId: string,
): Promise<BrokerRequest | undefined> {
  const output = await client.send(new GetCommand({ TableName: tableName, Key: { requestId }, ConsistentRead: true }));
  return output.Item as BrokerRequest | undefined;
}

/** The state, token and lease that a transition expects to find on the request. */
export interface ExpectedRequest {
  states: readonly RequestState[];
  messageToken?: string;
  leaseId?: string;
  attempt?: number;
}

export interface Transition {
  set: Partial<Omit<BrokerRequest, 'requestId' | 'history' | 'attempt'>>;
  remove?: (keyof BrokerRequest)[];
  incrementAttempt?: boolean;
  history?: AttemptRecord;
}

/**
 * Builds the one conditional write that moves a request from the expected state (and token or
 * lease) to a new one. On a failed condition DynamoDB returns the item as it was, so the caller
 * sees why.
 */
export function transitionItem(tableName: string, requestId: string, expected: ExpectedRequest, transition: Transition): TransactItem {
  const names: Record<string, string> = { '#state': 'state' };
  const values: Record<string, unknown> = {};
  const setClauses: string[] = [];

  Object.entries(transition.set).forEach(([field, value], index) => {
    names[`#s${index}`] = field;
    values[`:s${index}`] = value;
    setClauses.push(`#s${index} = :s${index}`);
  });
  if (transition.incrementAttempt) {
    names['#attempt'] = 'attempt';
    values[':one'] = 1;
    setClauses.push('#attempt = #attempt + :one');
  }
  if (transition.history) {
    names['#history'] = 'history';
    values[':history'] = [transition.history];
    values[':empty'] = [];
    setClauses.push('#history = list_append(if_not_exists(#history, :empty), :history)');
  }

  const stateValues = expected.states.map((state, index) => {
    values[`:from${index}`] = state;
    return `:from${index}`;
  });
  const conditions = ['attribute_exists(requestId)', `#state IN (${stateValues.join(', ')})`];
  if (expected.messageToken !== undefined) {
    names['#token'] = 'messageToken';
    values[':token'] = expected.messageToken;
    conditions.push('#token = :token');
  }
  if (expected.attempt !== undefined) {
    names['#attemptNow'] = 'attempt';
    values[':attemptNow'] = expected.attempt;
    conditions.push('#attemptNow = :attemptNow');
  }
  if (expected.leaseId !== undefined) {
    names['#lease'] = 'leaseId';
    values[':lease'] = expected.leaseId;
    conditions.push('#lease = :lease');
  }

  const removeNames = (transition.remove ?? []).map((field, index) => {
    names[`#r${index}`] = field;
    return `#r${index}`;
  });
  const updateExpression =
    `SET ${setClauses.join(', ')}` + (removeNames.length > 0 ? ` REMOVE ${removeNames.join(', ')}` : '');

  return {
    Update: {
      TableName: tableName,
      Key: { requestId },
      UpdateExpression: updateExpression,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** Global secondary indexes of the requests table and the attribute each is partitioned by. */
export const REQUEST_INDEX_PARTITION_KEYS = {
  byDomain: 'domainId',
  byState: 'state',
  byCaller: 'callerArn',
} as const;

export type RequestIndexName = keyof typeof REQUEST_INDEX_PARTITION_KEYS;

/** Equality filters on a request's attributes, applied after the index's key condition. */
export interface RequestFilters {
  domainId?: string;
  state?: RequestState;
  callerArn?: string;
}

export interface RequestQuery {
  indexName: RequestIndexName;
  /** Value of the index's partition key, e.g. the domain id for byDomain. */
  partitionValue: string;
  filters?: RequestFilters;
  limit: number;
  exclusiveStartKey?: Record<string, unknown>;
}

export interface RequestPage {
  items: BrokerRequest[];
  /** Key to start the next page from; absent when the index contains no further items. */
  lastEvaluatedKey?: Record<string, unknown>;
}

/** Query calls per page at most, so a filter that matches few items cannot make one page unbounded. */
const MAX_QUERIES_PER_PAGE = 10;

/**
 * Reads one page of requests from a global secondary index, newest first by the index's sort
 * key. DynamoDB applies `Limit` before the filters, so the page is filled with further queries,
 * each limited to the items still missing (never more than `limit` in all), up to ten queries.
 * A page may therefore hold fewer than `limit` items while `lastEvaluatedKey` is set.
 */
export async function queryRequests(client: DynamoDBDocumentClient, tableName: string, query: RequestQuery): Promise<RequestPage> {
  const names: Record<string, string> = { '#partition': REQUEST_INDEX_PARTITION_KEYS[query.indexName] };
  const values: Record<string, unknown> = { ':partition': query.partitionValue };
  const filterClauses = Object.entries(query.filters ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([attribute, value], index) => {
      names[`#f${index}`] = attribute;
      values[`:f${index}`] = value;
      return `#f${index} = :f${index}`;
    });

  const items: BrokerRequest[] = [];
  let startKey = query.exclusiveStartKey;
  for (let round = 0; round < MAX_QUERIES_PER_PAGE && items.length < query.limit; round += 1) {
    const output = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: query.indexName,
        KeyConditionExpression: '#partition = :partition',
        FilterExpression: filterClauses.length > 0 ? filterClauses.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((output.Items ?? []) as BrokerRequest[]));
    startKey = output.LastEvaluatedKey;
    if (startKey === undefined) break;
  }
  return { items, lastEvaluatedKey: startKey };
}
