import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
