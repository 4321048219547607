import { getRequest, queryRequests, type RequestIndexName, type RequestQuery } from '../requests/store';
import { toRequestView, type BrokerRequest, type RequestView } from '../requests/model';
import { canAccess, type Caller } from './access';
import type { ListQuery } from './contract';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';

/** One page of `GET /requests`. */
export interface RequestListPage {
  items: RequestView[];
  nextToken?: string;
}

/**
 * Reads a request the caller may see. Someone else's request is reported as not found, like a
 * request that does not exist, so that request ids do not leak.
 */
export async function readRequestFor(deps: SubmitDeps, caller: Caller, requestId: string): Promise<BrokerRequest> {
  const request = await getRequest(deps.dynamo, deps.config.requestsTableName, requestId);
  if (request === undefined || !canAccess(caller, request)) {
    throw new ApiError(404, 'NotFound', `Request ${requestId} was not found`);
  }
  return request;
}

export async function getRequestFor(deps: SubmitDeps, caller: Caller, requestId: string): Promise<RequestView> {
  return toRequestView(await readRequestFor(deps, caller, requestId));
}

/**
 * Chooses the index for a listing. A caller other than an admin always reads its own partition of
 * byCaller, with the domain and state as filters. An admin reads byDomain (state as a filter) or
 * byState; an admin listing without either filter would need a table scan, so it is rejected.
 */
function planQuery(caller: Caller, query: ListQuery): Omit<RequestQuery, 'limit' | 'exclusiveStartKey'> {
  if (!caller.isAdmin) {
    return { indexName: 'byCaller', partitionValue: caller.arn, filters: { domainId: query.domainId, state: query.state } };
  }
  if (query.domainId !== undefined) {
    return { indexName: 'byDomain', partitionValue: query.domainId, filters: { state: query.state } };
  }
  if (query.state !== undefined) {
    return { indexName: 'byState', partitionValue: query.state };
  }
  throw new ApiError(400, 'FilterRequired', 'An admin listing needs a domainId or a state filter, because listing every request would scan the table', [
    { field: 'domainId', rule: 'required', message: 'is required for an admin listing unless state is set' },
  ]);
}

interface PageToken {
  index: RequestIndexName;
  key: Record<string, string | number>;
}

function encodePageToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

function invalidToken(reason: string): ApiError {
  return new ApiError(400, 'InvalidNextToken', `nextToken is invalid: ${reason}; pass the token of the previous page unchanged, with the same filters`, [
    { field: 'nextToken', rule: 'token', message: reason },
  ]);
}

/** Decodes a page token and checks that it belongs to the index the query uses. */
function decodePageToken(text: string, indexName: RequestIndexName): Record<string, string | number> {
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('it is not a token this API issued');
  }

  const candidate = token as Partial<PageToken> | null;
  const key = candidate?.key;
  const keyIsValid =
    typeof key === 'object' && key !== null && Object.values(key).every((value) => typeof value === 'string' || typeof value === 'number');
  if (!keyIsValid) throw invalidToken('it is not a token this API issued');
  if (candidate?.index !== indexName) throw invalidToken('it belongs to a listing with other filters');
  return key;
}

/**
 * Lists the requests the caller may see, newest first: by `createdAtEpochMs` on byCaller and
 * byDomain, by `updatedAtEpochMs` on byState. Every read is a Query on a global secondary index.
 */
export async function listRequestsFor(deps: SubmitDeps, caller: Caller, query: ListQuery): Promise<RequestListPage> {
  const plan = planQuery(caller, query);
  const exclusiveStartKey = query.nextToken === undefined ? undefined : decodePageToken(query.nextToken, plan.indexName);

  let page;
  try {
    page = await queryRequests(deps.dynamo, deps.config.requestsTableName, { ...plan, limit: query.limit, exclusiveStartKey });
  } catch (error) {
    // DynamoDB rejects a start key outside the query's partition, e.g. a token edited by hand.
    if (exclusiveStartKey !== undefined && (error as Error).name === 'ValidationException') throw invalidToken('it does not match this listing');
    throw error;
  }

  const nextToken =
    page.lastEvaluatedKey === undefined
      ? undefined
      : encodePageToken({ index: plan.indexName, key: page.lastEvaluatedKey as Record<string, string | number> });
  return { items: page.items.map(toRequestView), ...(nextToken === undefined ? {} : { nextToken }) };
}
