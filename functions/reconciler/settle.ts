import type { AppDetails } from '@aws-sdk/client-sagemaker';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BrokerRequest, Failure } from '../requests/model';
import { workMessageOf } from '../requests/message-of';
import { transitionItem } from '../requests/store';
import { describeApp, findAppOwnership } from '../sagemaker/apps';
import { logger, metrics } from '../shared/observability';
import { transactWrite } from '../shared/transactions';
import type { WorkerDeps } from '../worker/deps';
import { recordCreated, requeue, writeWithRelease } from '../worker/outcome';
import { outcomeDetailOf } from '../worker/subject';

/** Seconds after CREATED during which an app missing from ListApps is not yet taken as gone. */
const LISTING_GRACE_SECONDS = 60;

/** Moves a CREATED request to READY or FAILED from its app's status; Pending and Deleting wait. */
export async function settleCreated(deps: WorkerDeps, request: BrokerRequest, app: AppDetails | undefined): Promise<'ready' | 'failed' | 'pending'> {
  const nowEpochMs = deps.now();
  if (app?.Status === 'InService') {
    await markReady(deps, request, nowEpochMs);
    return 'ready';
  }

  const isMissing = app === undefined && nowEpochMs - request.updatedAtEpochMs > LISTING_GRACE_SECONDS * 1000;
  if (app?.Status === 'Failed') {
    const failureReason = await describeApp(deps.sageMaker, request.input).then((output) => output.FailureReason, () => undefined);
    return (await markFailed(deps, request, { reason: 'APP_FAILED', message: `The app failed to start: ${failureReason ?? 'SageMaker gave no FailureReason'}` })) ? 'failed' : 'pending';
  }
  if (app?.Status === 'Deleted' || isMissing) {
    return (await markFailed(deps, request, { reason: 'APP_DELETED', message: 'The app was deleted before the reconciler saw it InService' })) ? 'failed' : 'pending';
  }
  return 'pending';
}

async function markReady(deps: WorkerDeps, request: BrokerRequest, nowEpochMs: number): Promise<void> {
  const item = transitionItem(deps.config.requestsTableName, request.requestId, { states: ['CREATED'] }, {
    set: { state: 'READY', updatedAtEpochMs: nowEpochMs },
  });
  const result = await transactWrite(deps.dynamo, [item], deps.random);
  if (!result.ok) return;

  logger.info('App in service', { requestId: request.requestId, appArn: request.appArn });
  metrics.addMetric('AppsReady', MetricUnit.Count, 1);
  await deps.publisher.publish([
    outcomeDetailOf(workMessageOf(request), 'READY', { appArn: request.appArn, attempts: request.attempt, createdAtEpochMs: request.createdAtEpochMs, updatedAtEpochMs: nowEpochMs }),
  ]);
}

async function markFailed(deps: WorkerDeps, request: BrokerRequest, failure: Failure): Promise<boolean> {
  const nowEpochMs = deps.now();
  const message = workMessageOf(request);
  const item = transitionItem(deps.config.requestsTableName, request.requestId, { states: ['CREATED'] }, {
    set: { state: 'FAILED', failure, updatedAtEpochMs: nowEpochMs, ttlEpochSeconds: Math.floor(nowEpochMs / 1000) + deps.config.requestRetentionDays * 86_400 },
  });
  const recorded = await writeWithRelease(deps, message, item, true);
  if (!recorded) return false;

  logger.warn('Created app did not reach InService', { requestId: request.requestId, reason: failure.reason, failureMessage: failure.message });
  metrics.addMetric('RequestsFailed', MetricUnit.Count, 1);
  await deps.publisher.publish([
    outcomeDetailOf(message, 'FAILED', {
      appArn: request.appArn,
      failureReason: failure.reason,
      failureMessage: failure.message,
      attempts: request.attempt,
      createdAtEpochMs: request.createdAtEpochMs,
      updatedAtEpochMs: nowEpochMs,
    }),
  ]);
  return true;
}

/**
 * Settles an ADMITTED request whose worker died and whose reservation expired. If its app exists
 * with the request's request-id tag, CreateApp had succeeded, so the request becomes CREATED.
 * Otherwise the slot is freed and the request is re-queued with a new message.
 */
export async function settleAdmitted(deps: WorkerDeps, request: BrokerRequest): Promise<'adopted' | 'requeued' | 'unchanged'> {
  const message = workMessageOf(request);
  const held = { leaseId: request.leaseId ?? '', attempt: request.attempt };

  const ownership = await findAppOwnership(deps.sageMaker, request.input, request.requestId).catch((error: Error) => {
    if (error.name === 'ResourceNotFound') return undefined;
    throw error;
  });
  if (ownership?.owner === 'this-request') {
    await recordCreated(deps, message, held, ownership.appArn, true);
    return 'adopted';
  }

  logger.warn('Expired reservation taken back; request re-queued', { requestId: request.requestId, attempt: request.attempt });
  await requeue(deps, message, {
    state: 'RETRYING',
    waitSeconds: 1,
    held,
    lastError: { errorName: 'ReservationExpired', message: 'The worker holding this request stopped before recording an outcome' },
  });
  return 'requeued';
}
