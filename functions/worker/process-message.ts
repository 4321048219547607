import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { fullJitterBackoffSeconds } from '../queue/backoff';
import { sendWorkMessage, type WorkMessage } from '../queue/messages';
import { HOLD_PARTITION_KEY, holdSortKey } from '../quota/keys';
import { classifyCreateAppError, type CreateAppErrorKind } from '../sagemaker/classify';
import { createApp, findAppOwnership } from '../sagemaker/apps';
import { logger, metrics } from '../shared/observability';
import { admit, takeOverLease, type Admission } from './admission';
import type { WorkerDeps } from './deps';
import { RecordNotDoneError } from './errors';
import { recordCreated, recordFailed, requeue, type Held } from './outcome';
import { slotSubjectOf } from './subject';

/** Unknown errors are retried at most this many attempts, whatever MAX_ATTEMPTS allows. */
const MAX_UNKNOWN_ERROR_ATTEMPTS = 5;
/**
 * Pauses before admitting again a message whose request is not stored yet. The submit function
 * sends the message before it stores the request, so a worker polling an idle queue can see the
 * message a few milliseconds early. Waiting here avoids returning it to the queue.
 */
const NOT_STORED_PAUSES_MS = [25, 75, 200];
/** Seconds before a message whose request is not stored yet is received again. */
const NOT_STORED_RETRY_SECONDS = 2;
/** Seconds before a message whose admission lost a write race is received again. */
const CONTENDED_RETRY_SECONDS = 1;

/**
 * Processes one work message to the end of its step: admitted and CreateApp called (then
 * CREATED, FAILED or re-queued), re-queued to wait, or recognised as stale. Returns when the
 * message may be deleted; throws when it must come back (RecordNotDoneError or any failure).
 */
export async function processWorkMessage(deps: WorkerDeps, message: WorkMessage): Promise<void> {
  const nowEpochMs = deps.now();
  const isEarly = message.notBeforeEpochMs !== undefined && message.notBeforeEpochMs > nowEpochMs + 1000;
  if (isEarly) {
    await sendWorkMessage(deps.sqs, deps.config.workQueueUrl, message, nowEpochMs);
    logger.debug('Message re-sent until its not-before time', { requestId: message.requestId, notBeforeEpochMs: message.notBeforeEpochMs });
    return;
  }

  let admission = await admit(deps, message);
  for (const pauseMs of NOT_STORED_PAUSES_MS) {
    if (admission.kind !== 'notStored') break;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    admission = await admit(deps, message);
  }
  if (admission.kind === 'leaseExpired') {
    logger.warn('Taking over a request whose worker lease expired', { requestId: message.requestId });
    admission = await takeOverLease(deps, message, admission.request);
  }
  await act(deps, message, admission);
}

async function act(deps: WorkerDeps, message: WorkMessage, admission: Admission): Promise<void> {
  const { config } = deps;
  const isPastDeadline = deps.now() >= message.deadlineEpochMs;

  switch (admission.kind) {
    case 'admitted':
      return callCreateApp(deps, message, { leaseId: admission.leaseId, attempt: admission.attempt });
    case 'stale':
      logger.info('Stale message acknowledged', { requestId: message.requestId, why: admission.why });
      return;
    case 'notStored':
      throw new RecordNotDoneError(`Request ${message.requestId} is not stored yet`, NOT_STORED_RETRY_SECONDS);
    case 'busy':
      throw new RecordNotDoneError(`Request ${message.requestId} is being processed by another delivery`, Math.ceil((admission.leaseExpiresAtEpochMs - deps.now()) / 1000) + 1);
    case 'leaseExpired':
      throw new RecordNotDoneError(`Lease of request ${message.requestId} could not be taken over`);
    case 'contended':
      throw new RecordNotDoneError(`Admission of request ${message.requestId} conflicted with another write`, CONTENDED_RETRY_SECONDS);
    case 'domainFull': {
      if (!admission.hasPolicy && config.defaultDomainMaxActiveApps === 'reject') {
        return recordFailed(deps, message, undefined, {
          reason: 'NO_QUOTA_POLICY',
          message: `Domain ${message.input.DomainId} has no quota policy and the broker rejects domains without one; set one with PUT /domains/${message.input.DomainId}/quota.`,
        });
      }
      if (isPastDeadline) return failDeadline(deps, message, undefined);
      const waitSeconds = fullJitterBackoffSeconds(message.waits, { baseSeconds: config.retryBaseSeconds, capSeconds: config.quotaWaitCapSeconds }, deps.random);
      metrics.addMetric('DomainQuotaWaits', MetricUnit.Count, 1);
      return requeue(deps, message, { state: 'WAITING', waitSeconds: Math.max(1, waitSeconds), lastError: { errorName: 'DomainQuotaFull', message: `Domain ${message.input.DomainId} is at its quota of active apps` } });
    }
    case 'held': {
      if (isPastDeadline) return failDeadline(deps, message, undefined);
      const holdSeconds = Math.max(0, (admission.holdUntilEpochMs - deps.now()) / 1000);
      const waitSeconds = holdSeconds + deps.random() * config.retryBaseSeconds;
      metrics.addMetric('CreateAppCallsSaved', MetricUnit.Count, 1);
      logger.info('Request held: the account is at its limit for this app and instance type', { requestId: message.requestId, holdSeconds });
      return requeue(deps, message, { state: 'WAITING', waitSeconds: Math.max(1, waitSeconds), lastError: { errorName: 'ResourceLimitExceeded', message: admission.holdMessage ?? 'The account is at its SageMaker limit for this app and instance type' } });
    }
  }
}

async function callCreateApp(deps: WorkerDeps, message: WorkMessage, held: Held): Promise<void> {
  const subject = slotSubjectOf(message);
  logger.info('Calling CreateApp', { requestId: message.requestId, attempt: held.attempt, appType: subject.appType, instanceType: subject.instanceType });
  metrics.addMetric('CreateAppCalls', MetricUnit.Count, 1);

  let appArn: string;
  try {
    appArn = await createApp(deps.sageMaker, message.input, message.requestId);
  } catch (error) {
    return handleCreateAppError(deps, message, held, classifyCreateAppError(error));
  }
  return recordCreated(deps, message, held, appArn, false);
}

async function handleCreateAppError(deps: WorkerDeps, message: WorkMessage, held: Held, error: CreateAppErrorKind): Promise<void> {
  const { config } = deps;
  const lastError = { errorName: error.errorName, message: error.message };
  const attemptsLeft = held.attempt < config.maxAttempts && deps.now() < message.deadlineEpochMs;
  logger.warn('CreateApp failed', { requestId: message.requestId, attempt: held.attempt, kind: error.kind, errorName: error.errorName, errorMessage: error.message });

  switch (error.kind) {
    case 'inUse':
      return resolveInUse(deps, message, held, error.message);
    case 'quotaZero':
      return recordFailed(deps, message, held, {
        reason: 'QUOTA_ZERO',
        errorName: error.errorName,
        quotaName: error.limit.quotaName,
        message: `The account's SageMaker quota '${error.limit.quotaName}' is 0 apps, so no ${error.limit.instanceType ?? subjectInstanceType(message)} app can start. Request an increase in Service Quotas (service code sagemaker), then submit again. SageMaker's message: ${error.message}`,
      });
    case 'rejected':
      return recordFailed(deps, message, held, { reason: 'SAGEMAKER_REJECTED', errorName: error.errorName, message: error.message });
    case 'atLimit': {
      if (!attemptsLeft) return failExhausted(deps, message, held, lastError);
      const waitSeconds = fullJitterBackoffSeconds(held.attempt - 1, { baseSeconds: config.retryBaseSeconds, capSeconds: config.retryCapSeconds }, deps.random);
      await holdPair(deps, message, waitSeconds, error.message);
      return requeue(deps, message, { state: 'RETRYING', waitSeconds: Math.max(1, waitSeconds), held, lastError, history: { attempt: held.attempt, outcome: 'RETRY', ...lastError, delaySeconds: Math.round(waitSeconds) } });
    }
    case 'transient':
    case 'unknown': {
      const limit = error.kind === 'unknown' ? Math.min(config.maxAttempts, MAX_UNKNOWN_ERROR_ATTEMPTS) : config.maxAttempts;
      const canRetry = held.attempt < limit && deps.now() < message.deadlineEpochMs;
      if (!canRetry) return failUnlessCreated(deps, message, held, lastError);
      const waitSeconds = config.transientRetrySeconds * (0.5 + deps.random());
      // CreateApp may have created the app before the failure (a 500 after the create, a lost
      // reply). The slot is kept, because releasing it could admit one app too many.
      return requeue(deps, message, { state: 'RETRYING', waitSeconds, held, keepSlot: true, lastError, history: { attempt: held.attempt, outcome: 'RETRY', ...lastError, delaySeconds: Math.round(waitSeconds) } });
    }
  }
}

/** Records CREATED when an earlier attempt of the request created its app after all, FAILED otherwise. */
async function failUnlessCreated(deps: WorkerDeps, message: WorkMessage, held: Held, lastError: { errorName: string; message: string }): Promise<void> {
  const ownership = await findAppOwnership(deps.sageMaker, message.input, message.requestId).catch((error: unknown) => {
    if ((error as Error)?.name === 'ResourceNotFound') return undefined;
    throw error;
  });
  if (ownership?.owner === 'this-request') return recordCreated(deps, message, held, ownership.appArn, true);
  return failExhausted(deps, message, held, lastError);
}

function subjectInstanceType(message: WorkMessage): string {
  return message.input.ResourceSpec?.InstanceType ?? 'system';
}

async function resolveInUse(deps: WorkerDeps, message: WorkMessage, held: Held, sageMakerMessage: string): Promise<void> {
  const ownership = await findAppOwnership(deps.sageMaker, message.input, message.requestId);
  if (ownership.owner === 'this-request') {
    logger.info('Existing app was created by an earlier attempt of this request', { requestId: message.requestId, appArn: ownership.appArn });
    return recordCreated(deps, message, held, ownership.appArn, true);
  }
  return recordFailed(deps, message, held, {
    reason: 'CONFLICT',
    errorName: 'ResourceInUse',
    message: `An app with this identity already exists and was not created by this request${ownership.status ? ` (status ${ownership.status})` : ''}. SageMaker's message: ${sageMakerMessage}`,
  });
}

function failExhausted(deps: WorkerDeps, message: WorkMessage, held: Held, lastError: { errorName: string; message: string }): Promise<void> {
  const isPastDeadline = deps.now() >= message.deadlineEpochMs;
  if (isPastDeadline) return failDeadline(deps, message, held, lastError);
  return recordFailed(deps, message, held, {
    reason: 'ATTEMPTS_EXHAUSTED',
    errorName: lastError.errorName,
    message: `Gave up after ${held.attempt} CreateApp attempts. Last error: ${lastError.errorName}: ${lastError.message}`,
  });
}

function failDeadline(deps: WorkerDeps, message: WorkMessage, held: Held | undefined, lastError?: { errorName: string; message: string }): Promise<void> {
  return recordFailed(deps, message, held, {
    reason: 'DEADLINE_EXCEEDED',
    errorName: lastError?.errorName,
    message: `The request's deadline passed before an app could be created${lastError ? `. Last error: ${lastError.errorName}: ${lastError.message}` : ''}`,
  });
}

/**
 * Holds the request's (app type, instance type) after SageMaker refused it at the account limit,
 * so other requests of the pair wait instead of calling CreateApp. The hold only ever grows.
 */
async function holdPair(deps: WorkerDeps, message: WorkMessage, waitSeconds: number, sageMakerMessage: string): Promise<void> {
  const subject = slotSubjectOf(message);
  const holdUntilEpochMs = deps.now() + Math.round(waitSeconds * 1000);
  try {
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: deps.config.quotasTableName,
        Key: { pk: HOLD_PARTITION_KEY, sk: holdSortKey(subject.appType, subject.instanceType) },
        UpdateExpression: 'SET holdUntilEpochMs = :until, message = :message, appType = :appType, instanceType = :instanceType',
        ConditionExpression: 'attribute_not_exists(holdUntilEpochMs) OR holdUntilEpochMs < :until',
        ExpressionAttributeValues: { ':until': holdUntilEpochMs, ':message': sageMakerMessage, ':appType': subject.appType, ':instanceType': subject.instanceType },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
}
