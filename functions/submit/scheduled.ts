import type { Context } from 'aws-lambda';
import { callerOf } from './access';
import type { EventBridgeEvent } from './entry';
import { ApiError } from './errors';
import { toInvocationResult, type InvocationResult } from './invocation';
import type { SubmitOperations } from './runtime';

/** Requests one event may carry in `detail.requests`; more would risk the function's timeout. */
export const MAX_REQUESTS_PER_EVENT = 50;

/**
 * Derives the idempotency scope of an EventBridge event. A rule's `Scheduled Event` fires once per
 * rule and scheduled `time`, so (rule ARN, time) names the firing: a retried delivery, and a
 * second firing for the same time, create no second request. Any other event is named by its `id`,
 * which EventBridge keeps across retries of one delivery.
 */
function idempotencyOf(event: EventBridgeEvent): { callerArn: string; key: string } {
  const ruleArn = event.resources[0];
  const isScheduled = event['detail-type'] === 'Scheduled Event' && event.source === 'aws.events' && ruleArn !== undefined;
  if (isScheduled) return { callerArn: ruleArn, key: `scheduled#${event.time}` };
  return { callerArn: ruleArn ?? `eventbridge:${event.source}`, key: `event#${event.id}` };
}

function requestsOf(detail: unknown): { requests: unknown[]; isList: boolean } {
  const isObject = typeof detail === 'object' && detail !== null && !Array.isArray(detail);
  if (isObject && 'requests' in detail) {
    const { requests } = detail as { requests: unknown };
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_REQUESTS_PER_EVENT) {
      throw new ApiError(400, 'ValidationFailed', `detail.requests must be a list of 1 to ${MAX_REQUESTS_PER_EVENT} CreateApp inputs`, [
        { field: 'detail.requests', rule: 'maxItems', message: `must hold 1 to ${MAX_REQUESTS_PER_EVENT} items` },
      ]);
    }
    return { requests, isList: true };
  }
  return { requests: [detail], isList: false };
}

/**
 * Submits the CreateApp input in an EventBridge event's `detail`, or each input of
 * `detail.requests`. One input returns its own result; a list returns 207 with one result per
 * input, in order. Inputs of a list are idempotent one by one (key suffix `#<index>`).
 */
export async function runEventBridgeEvent(operations: SubmitOperations, event: EventBridgeEvent, context?: Context): Promise<InvocationResult> {
  const { callerArn, key } = idempotencyOf(event);
  const caller = callerOf(callerArn, operations.deps.config.adminPrincipalArns);

  let batch: { requests: unknown[]; isList: boolean };
  try {
    batch = requestsOf(event.detail);
  } catch (error) {
    return toInvocationResult(() => Promise.reject(error));
  }

  const results: InvocationResult[] = [];
  for (const [index, request] of batch.requests.entries()) {
    const idempotencyKey = batch.isList ? `${key}#${index}` : key;
    results.push(
      await toInvocationResult(async () => {
        const { view } = await operations.submit(caller, request, idempotencyKey, context);
        return { statusCode: 202, body: view };
      }),
    );
  }
  return batch.isList ? { statusCode: 207, body: { results } } : (results[0] as InvocationResult);
}
