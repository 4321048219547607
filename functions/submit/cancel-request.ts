import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OutcomeDetail } from '../events/publisher';
import { ADMISSIBLE_STATES, toRequestView, type BrokerRequest, type RequestView } from '../requests/model';
import { releaseSlotItems } from '../quota/reservation';
import { workMessageOf } from '../requests/message-of';
import { transitionItem } from '../requests/store';
import { outcomeDetailOf } from '../worker/subject';
import { logger, metrics } from '../shared/observability';
import { transactWrite } from '../shared/transactions';
import type { Caller } from './access';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';
import { readRequestFor } from './read-requests';

function notCancellable(request: Pick<BrokerRequest, 'requestId' | 'state'>): ApiError {
  return new ApiError(
    409,
    'NotCancellable',
    `Request ${request.requestId} is ${request.state}; only QUEUED, WAITING and RETRYING requests can be cancelled`,
  );
}

function cancelledDetail(request: BrokerRequest, nowEpochMs: number): OutcomeDetail {
  return outcomeDetailOf(workMessageOf(request), 'CANCELLED', {
    attempts: request.attempt,
    createdAtEpochMs: request.createdAtEpochMs,
    updatedAtEpochMs: nowEpochMs,
  });
}

/**
 * Cancels a request that has not reached CreateApp: one conditional write from QUEUED, WAITING or
 * RETRYING to CANCELLED, which also frees the quota slot that a request retrying after a transient
 * error keeps. The worker admits only from those states, so a message still on the queue
 * for a cancelled request is dropped. Cancelling a CANCELLED request returns it unchanged;
 * any other state is a 409 naming that state. A successful cancel publishes a CANCELLED outcome
 * event.
 */
export async function cancelRequestFor(deps: SubmitDeps, caller: Caller, requestId: string): Promise<RequestView> {
  const request = await readRequestFor(deps, caller, requestId);
  if (request.state === 'CANCELLED') return toRequestView(request);
  if (!ADMISSIBLE_STATES.includes(request.state)) throw notCancellable(request);

  const nowEpochMs = deps.now();
  const ttlEpochSeconds = Math.floor(nowEpochMs / 1000) + deps.config.requestRetentionDays * 86_400;
  const cancel = transitionItem(
    deps.config.requestsTableName,
    requestId,
    { states: ADMISSIBLE_STATES },
    { set: { state: 'CANCELLED', updatedAtEpochMs: nowEpochMs, ttlEpochSeconds }, remove: ['notBeforeEpochMs'] },
  );
  const subject = { requestId, domainId: request.domainId, appType: request.appType, instanceType: request.instanceType };
  let result = await transactWrite(deps.dynamo, [cancel, ...releaseSlotItems(deps.config.quotasTableName, subject)]);
  const holdsNoSlot = !result.ok && result.reasons[0]?.code !== 'ConditionalCheckFailed' && result.reasons[1]?.code === 'ConditionalCheckFailed';
  if (holdsNoSlot) result = await transactWrite(deps.dynamo, [cancel]);
  if (!result.ok) {
    const reason = result.reasons[0];
    if (reason?.code !== 'ConditionalCheckFailed') {
      throw new Error(`Failed to cancel request ${requestId}: ${result.reasons.map((each) => each.code).join(', ')}`);
    }

    // The worker moved the request between the read and the write; report the state it found.
    const current = reason.item as BrokerRequest | undefined;
    if (current?.state === 'CANCELLED') return toRequestView(current);
    throw notCancellable(current ?? request);
  }

  logger.info('Request cancelled', { requestId, domainId: request.domainId, previousState: request.state });
  metrics.addMetric('RequestsCancelled', MetricUnit.Count, 1);
  await deps.publisher?.publish([cancelledDetail(request, nowEpochMs)]);
  return toRequestView({ ...request, state: 'CANCELLED', updatedAtEpochMs: nowEpochMs, ttlEpochSeconds, notBeforeEpochMs: undefined });
}
