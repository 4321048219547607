import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sendWorkMessage, type WorkMessage } from '../queue/messages';
import { toRequestView, type BrokerRequest, type RequestView } from '../requests/model';
import { createAppRequestSchema, effectiveInstanceType, toFieldErrors, type CreateAppRequest } from '../requests/schema';
import type { BrokerConfig } from '../shared/config';
import { logger, metrics } from '../shared/observability';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';

export interface Submission {
  /** The CreateApp input exactly as the caller sent it, not yet validated. */
  input: unknown;
  /** IAM principal ARN of the caller. */
  callerArn: string;
  idempotencyKey?: string;
}

/**
 * Maximum request size in bytes, whatever MAX_REQUEST_BYTES sets. The request item in DynamoDB
 * contains the input plus up to MAX_ATTEMPTS history entries and must stay below DynamoDB's 400 KB
 * item limit. The work message contains the input and must stay below SQS's 1 MiB limit.
 */
export const REQUEST_BYTES_CEILING = 256 * 1024;

/** Returns the size limit in force: MAX_REQUEST_BYTES (default 64 KiB), capped at REQUEST_BYTES_CEILING. */
export function maxRequestBytes(config: BrokerConfig): number {
  return Math.min(config.maxRequestBytes, REQUEST_BYTES_CEILING);
}

/** Raises a 413 ApiError when a request of `byteLength` bytes is over the limit in force. */
export function assertWithinSizeLimit(config: BrokerConfig, byteLength: number): void {
  const limit = maxRequestBytes(config);
  if (byteLength > limit) {
    throw new ApiError(413, 'RequestTooLarge', `The request is ${byteLength} bytes; the broker accepts at most ${limit} bytes`, [
      { field: '(body)', rule: 'maxBytes', message: `must be at most ${limit} bytes` },
    ]);
  }
}

/** Validates a CreateApp input; an invalid one raises a 400 ApiError naming each field and rule. */
export function validateCreateAppRequest(input: unknown): CreateAppRequest {
  const isObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  if (!isObject) {
    throw new ApiError(400, 'InvalidRequest', 'The request body must be a JSON object holding a CreateApp input', [
      { field: '(body)', rule: 'type', message: 'must be a JSON object' },
    ]);
  }

  const parsed = createAppRequestSchema.safeParse(input);
  if (!parsed.success) {
    const details = toFieldErrors(parsed.error, input);
    throw new ApiError(400, 'ValidationFailed', `The CreateApp input is invalid: ${details.length} rule(s) failed`, details);
  }
  return parsed.data;
}

/** Checks a submission's size, then its CreateApp input; both come before anything is sent or stored. */
export function checkSubmission(config: BrokerConfig, input: unknown): CreateAppRequest {
  assertWithinSizeLimit(config, Buffer.byteLength(JSON.stringify(input) ?? ''));
  return validateCreateAppRequest(input);
}

/**
 * Accepts a checked CreateApp input: sends its work message, then stores the request as QUEUED.
 * The message goes first, so a crash between the two leaves at most a message whose request
 * was never stored (the worker drops it after its receives run out), never a QUEUED request
 * without a message.
 */
export async function acceptRequest(deps: SubmitDeps, input: CreateAppRequest, callerArn: string, idempotencyKey?: string): Promise<RequestView> {
  const nowEpochMs = deps.now();
  const request = newBrokerRequest(deps, { input, callerArn, idempotencyKey }, input, nowEpochMs);
  const message: WorkMessage = {
    requestId: request.requestId,
    messageToken: request.messageToken,
    attempt: 0,
    waits: 0,
    createdAtEpochMs: nowEpochMs,
    deadlineEpochMs: request.deadlineEpochMs,
    input,
  };
  await sendWorkMessage(deps.sqs, deps.config.workQueueUrl, message, nowEpochMs);
  await deps.dynamo.send(
    new PutCommand({ TableName: deps.config.requestsTableName, Item: request, ConditionExpression: 'attribute_not_exists(requestId)' }),
  );

  logger.info('Request accepted', { requestId: request.requestId, domainId: request.domainId, appType: request.appType, instanceType: request.instanceType });
  metrics.addMetric('RequestsAccepted', MetricUnit.Count, 1);
  return toRequestView(request);
}

/** Checks and accepts a submission without idempotency; each call creates a new request. */
export async function submitRequest(deps: SubmitDeps, submission: Submission): Promise<RequestView> {
  const input = checkSubmission(deps.config, submission.input);
  return acceptRequest(deps, input, submission.callerArn, submission.idempotencyKey);
}

function newBrokerRequest(deps: SubmitDeps, submission: Submission, input: CreateAppRequest, nowEpochMs: number): BrokerRequest {
  const ownerKind = input.UserProfileName !== undefined ? 'UserProfile' : 'Space';
  return {
    requestId: deps.newId(),
    state: 'QUEUED',
    attempt: 0,
    messageToken: deps.newId(),
    domainId: input.DomainId,
    appType: input.AppType,
    appName: input.AppName,
    ownerKind,
    ownerName: (input.UserProfileName ?? input.SpaceName) as string,
    instanceType: effectiveInstanceType(input),
    input,
    callerArn: submission.callerArn,
    idempotencyKey: submission.idempotencyKey,
    createdAtEpochMs: nowEpochMs,
    updatedAtEpochMs: nowEpochMs,
    deadlineEpochMs: nowEpochMs + deps.config.requestDeadlineSeconds * 1000,
    history: [],
  };
}
