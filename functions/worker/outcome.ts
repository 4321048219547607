import { releaseSlotItems } from '../quota/reservation';
import { ADMISSIBLE_STATES, type AttemptRecord, type Failure } from '../requests/model';
import { transitionItem, type ExpectedRequest } from '../requests/store';
import { sendWorkMessage, type WorkMessage } from '../queue/messages';
import { logger, metrics } from '../shared/observability';
import { transactWrite, type TransactItem } from '../shared/transactions';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { WorkerDeps } from './deps';
import { outcomeDetailOf, slotSubjectOf } from './subject';

/**
 * Smallest delay of a successor message. The successor is sent before the request points to it,
 * and a worker that received it before that write would drop it as stale. The write follows
 * within milliseconds, so one second is ample.
 */
export const MIN_SUCCESSOR_DELAY_SECONDS = 1;

/** The admitted request a worker holds: its lease and the attempt number it made. */
export interface Held {
  leaseId: string;
  attempt: number;
}

function expectedHeld(message: WorkMessage, held: Held): ExpectedRequest {
  return { states: ['ADMITTED'], messageToken: message.messageToken, leaseId: held.leaseId, attempt: held.attempt };
}

function ttlEpochSeconds(deps: WorkerDeps, nowEpochMs: number): number {
  return Math.floor(nowEpochMs / 1000) + deps.config.requestRetentionDays * 86_400;
}

/**
 * Writes a transition together with the release of the request's slot. When the slot is already
 * gone (the reconciler took it back), the transition is written alone. Returns false when the
 * request was no longer as expected: another delivery owns it now.
 */
export async function writeWithRelease(deps: WorkerDeps, message: WorkMessage, transition: TransactItem, releaseSlot: boolean): Promise<boolean> {
  const release = releaseSlot ? releaseSlotItems(deps.config.quotasTableName, slotSubjectOf(message)) : [];
  const result = await transactWrite(deps.dynamo, [transition, ...release], deps.random);
  if (result.ok) return true;

  const [requestReason, slotReason] = result.reasons;
  if (requestReason?.code === 'ConditionalCheckFailed') return false;
  if (slotReason?.code === 'ConditionalCheckFailed') {
    const alone = await transactWrite(deps.dynamo, [transition], deps.random);
    return alone.ok;
  }
  throw new Error(`Failed to record the outcome of request ${message.requestId}: ${result.reasons.map((reason) => reason.code).join(', ')}`);
}

export async function recordCreated(deps: WorkerDeps, message: WorkMessage, held: Held, appArn: string, adopted: boolean): Promise<void> {
  const nowEpochMs = deps.now();
  const history: AttemptRecord = { attempt: held.attempt, atEpochMs: nowEpochMs, outcome: adopted ? 'ADOPTED' : 'CREATED' };
  const transition = transitionItem(deps.config.requestsTableName, message.requestId, expectedHeld(message, held), {
    set: { state: 'CREATED', appArn, updatedAtEpochMs: nowEpochMs },
    remove: ['leaseId', 'leaseExpiresAtEpochMs'],
    history,
  });
  const recorded = await writeWithRelease(deps, message, transition, false);
  if (!recorded) {
    logger.warn('Request changed before CREATED was recorded', { requestId: message.requestId, appArn });
    return;
  }

  logger.info('App created', { requestId: message.requestId, appArn, attempt: held.attempt, adopted });
  metrics.addMetric('AppsCreated', MetricUnit.Count, 1);
  await deps.publisher.publish([
    outcomeDetailOf(message, 'CREATED', { appArn, attempts: held.attempt, createdAtEpochMs: message.createdAtEpochMs, updatedAtEpochMs: nowEpochMs }),
  ]);
}

/** Records FAILED; `held` is unset when the request failed before admission (no slot to free). */
export async function recordFailed(deps: WorkerDeps, message: WorkMessage, held: Held | undefined, failure: Failure): Promise<void> {
  const nowEpochMs = deps.now();
  const expected: ExpectedRequest = held
    ? expectedHeld(message, held)
    : { states: ADMISSIBLE_STATES, messageToken: message.messageToken, attempt: message.attempt };
  const attempts = held?.attempt ?? message.attempt;
  const history: AttemptRecord = { attempt: attempts, atEpochMs: nowEpochMs, outcome: 'FAILED', errorName: failure.errorName, message: failure.message };
  const transition = transitionItem(deps.config.requestsTableName, message.requestId, expected, {
    set: { state: 'FAILED', failure, updatedAtEpochMs: nowEpochMs, ttlEpochSeconds: ttlEpochSeconds(deps, nowEpochMs) },
    remove: ['leaseId', 'leaseExpiresAtEpochMs', 'notBeforeEpochMs'],
    history,
  });
  const recorded = await writeWithRelease(deps, message, transition, held !== undefined);
  if (!recorded) {
    logger.warn('Request changed before FAILED was recorded', { requestId: message.requestId, reason: failure.reason });
    return;
  }

  logger.warn('Request failed', { requestId: message.requestId, domainId: message.input.DomainId, reason: failure.reason, errorName: failure.errorName, failureMessage: failure.message });
  metrics.addMetric('RequestsFailed', MetricUnit.Count, 1);
  await deps.publisher.publish([
    outcomeDetailOf(message, 'FAILED', {
      failureReason: failure.reason,
      failureMessage: failure.message,
      errorName: failure.errorName,
      attempts,
      createdAtEpochMs: message.createdAtEpochMs,
      updatedAtEpochMs: nowEpochMs,
    }),
  ]);
}

export interface Requeue {
  state: 'WAITING' | 'RETRYING';
  waitSeconds: number;
  lastError?: { errorName: string; message: string };
  history?: Omit<AttemptRecord, 'atEpochMs'>;
  /** Set when the worker has admitted the request and owns its slot. Unset for a request that was not admitted. */
  held?: Held;
  /** Keeps the held request's slot for its next attempt instead of releasing it. */
  keepSlot?: boolean;
}

/**
 * Puts the request back on the queue. The successor message is sent first, with a new token and
 * the wait as DelaySeconds, and longer waits are chained through notBeforeEpochMs. Only then does
 * the request point to it. A crash in between leaves the original message unacknowledged and the
 * request unchanged, and the successor is ignored as stale. A failed send throws, so the original
 * message is not acknowledged.
 */
export async function requeue(deps: WorkerDeps, message: WorkMessage, plan: Requeue): Promise<void> {
  const nowEpochMs = deps.now();
  const notBeforeEpochMs = nowEpochMs + Math.round(Math.max(MIN_SUCCESSOR_DELAY_SECONDS, plan.waitSeconds) * 1000);
  const successor: WorkMessage = {
    ...message,
    messageToken: deps.newId(),
    attempt: plan.held?.attempt ?? message.attempt,
    waits: plan.state === 'WAITING' ? message.waits + 1 : 0,
    notBeforeEpochMs,
  };
  await sendWorkMessage(deps.sqs, deps.config.workQueueUrl, successor, nowEpochMs);

  const expected: ExpectedRequest = plan.held
    ? expectedHeld(message, plan.held)
    : { states: ADMISSIBLE_STATES, messageToken: message.messageToken, attempt: message.attempt };
  const lastError = plan.lastError ? { ...plan.lastError, atEpochMs: nowEpochMs } : undefined;
  const transition = transitionItem(deps.config.requestsTableName, message.requestId, expected, {
    set: { state: plan.state, messageToken: successor.messageToken, notBeforeEpochMs, updatedAtEpochMs: nowEpochMs, ...(lastError ? { lastError } : {}) },
    remove: ['leaseId', 'leaseExpiresAtEpochMs'],
    history: plan.history ? { ...plan.history, atEpochMs: nowEpochMs } : undefined,
  });
  const releaseSlot = plan.held !== undefined && plan.keepSlot !== true;
  const recorded = await writeWithRelease(deps, message, transition, releaseSlot);
  if (!recorded) {
    logger.warn('Request changed before it was re-queued; the new message will be ignored', { requestId: message.requestId });
    return;
  }
  logger.info('Request re-queued', { requestId: message.requestId, state: plan.state, waitSeconds: plan.waitSeconds, attempt: successor.attempt });
}
