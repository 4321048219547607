import type { CreateAppRequest } from './schema';

/**
 * States of a broker request. A QUEUED, WAITING or RETRYING request has a message on the work
 * queue. An ADMITTED request has a quota slot while CreateApp is in flight. The rest have no message.
 */
export const REQUEST_STATES = ['QUEUED', 'WAITING', 'ADMITTED', 'RETRYING', 'CREATED', 'READY', 'FAILED', 'CANCELLED'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** States from which the worker may admit the request. */
export const ADMISSIBLE_STATES: readonly RequestState[] = ['QUEUED', 'WAITING', 'RETRYING'];
/** States after which the worker never calls CreateApp for the request again. */
export const FINAL_STATES: readonly RequestState[] = ['CREATED', 'READY', 'FAILED', 'CANCELLED'];

export function isFinal(state: RequestState): boolean {
  return FINAL_STATES.includes(state);
}

/** Stable code of the reason a request ended FAILED, for callers to match on. */
export type FailureReason =
  | 'SAGEMAKER_REJECTED'
  | 'QUOTA_ZERO'
  | 'CONFLICT'
  | 'NO_QUOTA_POLICY'
  | 'ATTEMPTS_EXHAUSTED'
  | 'DEADLINE_EXCEEDED'
  | 'APP_FAILED'
  | 'APP_DELETED'
  | 'DLQ';

/** Every FailureReason, for schemas and documents that list them. */
export const FAILURE_REASONS = [
  'SAGEMAKER_REJECTED',
  'QUOTA_ZERO',
  'CONFLICT',
  'NO_QUOTA_POLICY',
  'ATTEMPTS_EXHAUSTED',
  'DEADLINE_EXCEEDED',
  'APP_FAILED',
  'APP_DELETED',
  'DLQ',
] as const satisfies readonly FailureReason[];

export interface Failure {
  reason: FailureReason;
  message: string;
  /** SageMaker's error name (e.g. ValidationException) when SageMaker refused the request. */
  errorName?: string;
  /** For QUOTA_ZERO: the Service Quotas name, e.g. "Studio KernelGateway Apps running on ml.g5.xlarge instance". */
  quotaName?: string;
}

/** One CreateApp attempt or wait decision, kept on the request as its history. */
export interface AttemptRecord {
  attempt: number;
  atEpochMs: number;
  outcome: 'CREATED' | 'RETRY' | 'WAIT' | 'FAILED' | 'ADOPTED';
  errorName?: string;
  message?: string;
  delaySeconds?: number;
}

export interface BrokerRequest {
  requestId: string;
  state: RequestState;
  /** CreateApp attempts made so far; counted here, never from SQS receive counts. */
  attempt: number;
  /** Token of the one live work-queue message; a message with another token is stale. */
  messageToken: string;
  domainId: string;
  appType: string;
  appName: string;
  ownerKind: 'UserProfile' | 'Space';
  ownerName: string;
  /** Instance type that quotas count, with KernelGateway's `system` resolved to ml.t3.medium. */
  instanceType: string;
  input: CreateAppRequest;
  callerArn: string;
  idempotencyKey?: string;
  createdAtEpochMs: number;
  updatedAtEpochMs: number;
  deadlineEpochMs: number;
  /** Earliest time the worker acts on the request; set while WAITING or RETRYING. */
  notBeforeEpochMs?: number;
  leaseId?: string;
  leaseExpiresAtEpochMs?: number;
  appArn?: string;
  /** When the reconciler found the app of a READY request Deleted or Failed and freed its slot. */
  appEndedAtEpochMs?: number;
  failure?: Failure;
  lastError?: { errorName: string; message: string; atEpochMs: number };
  history: AttemptRecord[];
  ttlEpochSeconds?: number;
}

/** The view of a request that the API returns. */
export interface RequestView {
  requestId: string;
  state: RequestState;
  attempts: number;
  domainId: string;
  appType: string;
  appName: string;
  userProfileName?: string;
  spaceName?: string;
  instanceType: string;
  appArn?: string;
  /** When the reconciler found the app of a READY request Deleted or Failed and freed its slot. */
  appEndedAtEpochMs?: number;
  failure?: Failure;
  lastError?: { errorName: string; message: string; atEpochMs: number };
  notBeforeEpochMs?: number;
  createdAtEpochMs: number;
  updatedAtEpochMs: number;
  history: AttemptRecord[];
  input: CreateAppRequest;
}

export function toRequestView(request: BrokerRequest): RequestView {
  return {
    requestId: request.requestId,
    state: request.state,
    attempts: request.attempt,
    domainId: request.domainId,
    appType: request.appType,
    appName: request.appName,
    userProfileName: request.input.UserProfileName,
    spaceName: request.input.SpaceName,
    instanceType: request.instanceType,
    appArn: request.appArn,
    appEndedAtEpochMs: request.appEndedAtEpochMs,
    failure: request.failure,
    lastError: request.lastError,
    notBeforeEpochMs: request.notBeforeEpochMs,
    createdAtEpochMs: request.createdAtEpochMs,
    updatedAtEpochMs: request.updatedAtEpochMs,
    history: request.history,
    input: request.input,
  };
}
