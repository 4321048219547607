import { parseLimitMessage, type LimitMessage } from './limit-message';

/**
 * Meaning of a CreateApp error to the broker, a closed set so the worker handles every case.
 *
 * - quotaZero: the account has no quota at all for the instance type; retrying cannot help.
 * - atLimit: the account is at its limit; retry later (`limit` is unset when the text was not parsed).
 * - inUse: an app with the same identity exists; it may be this request's own earlier attempt.
 * - transient: throttling, a 5xx or a network failure that outlived the SDK's own retries.
 * - rejected: SageMaker refused the input (ValidationException and other client faults).
 * - unknown: anything else; retried a bounded number of times.
 */
export type CreateAppErrorKind =
  | { kind: 'quotaZero'; errorName: string; message: string; limit: LimitMessage }
  | { kind: 'atLimit'; errorName: string; message: string; limit?: LimitMessage }
  | { kind: 'inUse'; errorName: string; message: string }
  | { kind: 'transient'; errorName: string; message: string }
  | { kind: 'rejected'; errorName: string; message: string }
  | { kind: 'unknown'; errorName: string; message: string };

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
]);

const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * Classifies an error thrown by SageMaker's CreateApp (through the SDK, after its retries).
 * Matches on `error.name`, as the SDK's own retry code does, never on classes: the SDK
 * models only four SageMaker errors. Pure: no I/O, no clock.
 */
export function classifyCreateAppError(error: unknown): CreateAppErrorKind {
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
  const errorName = typeof candidate.name === 'string' ? candidate.name : 'Unknown';
  const message = typeof candidate.message === 'string' ? candidate.message : String(error);
  const status = typeof candidate.$metadata?.httpStatusCode === 'number' ? candidate.$metadata.httpStatusCode : undefined;

  if (errorName === 'ResourceLimitExceeded') {
    const limit = parseLimitMessage(message);
    if (limit !== undefined && limit.limit === 0) return { kind: 'quotaZero', errorName, message, limit };
    return { kind: 'atLimit', errorName, message, limit };
  }
  if (errorName === 'ResourceInUse') return { kind: 'inUse', errorName, message };

  const isThrottling = THROTTLING_NAMES.has(errorName) || status === 429;
  const isServerFault = candidate.$fault === 'server' || (status !== undefined && status >= 500);
  const isNetwork = (typeof candidate.code === 'string' && NETWORK_ERROR_CODES.has(candidate.code)) || TIMEOUT_NAMES.has(errorName);
  if (isThrottling || isServerFault || isNetwork) return { kind: 'transient', errorName, message };

  const isClientFault = candidate.$fault === 'client' && errorName !== 'Unknown';
  if (isClientFault) return { kind: 'rejected', errorName, message };
  return { kind: 'unknown', errorName, message };
}
