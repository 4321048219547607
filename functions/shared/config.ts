/**
 * Broker configuration, read from the environment once per cold start.
 *
 * Every variable is documented in the README. A variable that is present but invalid fails
 * fast with its name, so a misconfigured deployment never starts processing.
 */
export interface BrokerConfig {
  region: string;
  requestsTableName: string;
  quotasTableName: string;
  idempotencyTableName: string;
  workQueueUrl: string;
  deadLetterQueueUrl: string;
  eventBusName: string;
  /** Endpoint overrides for the local stack; unset in AWS. */
  endpoints: { dynamodb?: string; sqs?: string; sagemaker?: string; eventbridge?: string };
  /** Active apps a domain without a policy may hold; 'reject' fails such requests. */
  defaultDomainMaxActiveApps: number | 'reject';
  maxAttempts: number;
  retryBaseSeconds: number;
  retryCapSeconds: number;
  /**
   * Cap of the backoff of a request waiting for its domain's quota. It can be long because the
   * reconciler wakes the oldest waiting requests of a domain as soon as it frees one of its slots.
   */
  quotaWaitCapSeconds: number;
  /** Short re-queue delay after throttling, 5xx or an unknown error. */
  transientRetrySeconds: number;
  requestDeadlineSeconds: number;
  /** A reservation not followed by CreateApp's response within this time is taken back. */
  reservationTimeoutSeconds: number;
  /** Lease of one worker on an ADMITTED request; another delivery may take over after it. */
  admissionLeaseSeconds: number;
  maxRequestBytes: number;
  /** Days a terminal request stays in the table before DynamoDB TTL removes it. */
  requestRetentionDays: number;
  idempotencyExpirySeconds: number;
  /** IAM principal ARNs (roles or users) that may read, list and cancel every request. */
  adminPrincipalArns: string[];
  sageMakerMaxAttempts: number;
  /** A QUEUED, WAITING or RETRYING request untouched this long past its due time gets a new message. */
  stuckAfterSeconds: number;
  /** Pages of each DynamoDB query, scan or ListApps listing one reconciler run reads at most. */
  reconcilerMaxPages: number;
  /**
   * Caller identity for HTTP requests that carry none. Only the local stack sets it, because
   * serverless-offline runs no IAM authorizer; in AWS every route has one.
   */
  localCallerArn?: string;
}

type Env = Record<string, string | undefined>;

/** Raised when an environment variable is invalid; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function readString(env: Env, name: string, fallback?: string): string {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`Missing environment variable ${name}`);
}

function readNumber(env: Env, name: string, fallback: number, minimum = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;

  const value = Number(raw);
  if (!Number.isFinite(value) || value < minimum) {
    throw new ConfigError(`Invalid environment variable ${name}: '${raw}' is not a number >= ${minimum}`);
  }
  return value;
}

function readDefaultQuota(env: Env): number | 'reject' {
  const raw = env.DEFAULT_DOMAIN_MAX_ACTIVE_APPS;
  if (raw === 'reject') return 'reject';
  return readNumber(env, 'DEFAULT_DOMAIN_MAX_ACTIVE_APPS', 10);
}

function readList(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Builds the configuration from `env`; tests pass their own object. */
export function loadConfig(env: Env = process.env): BrokerConfig {
  return {
    region: readString(env, 'AWS_REGION', 'us-east-1'),
    requestsTableName: readString(env, 'REQUESTS_TABLE_NAME'),
    quotasTableName: readString(env, 'QUOTAS_TABLE_NAME'),
    idempotencyTableName: readString(env, 'IDEMPOTENCY_TABLE_NAME', ''),
    workQueueUrl: readString(env, 'WORK_QUEUE_URL'),
    deadLetterQueueUrl: readString(env, 'DEAD_LETTER_QUEUE_URL', ''),
    eventBusName: readString(env, 'EVENT_BUS_NAME', ''),
    endpoints: {
      dynamodb: env.DYNAMODB_ENDPOINT || undefined,
      sqs: env.SQS_ENDPOINT || undefined,
      sagemaker: env.SAGEMAKER_ENDPOINT || undefined,
      eventbridge: env.EVENTBRIDGE_ENDPOINT || undefined,
    },
    defaultDomainMaxActiveApps: readDefaultQuota(env),
    maxAttempts: readNumber(env, 'MAX_ATTEMPTS', 50, 1),
    retryBaseSeconds: readNumber(env, 'RETRY_BASE_SECONDS', 5, 1),
    retryCapSeconds: readNumber(env, 'RETRY_CAP_SECONDS', 900, 1),
    quotaWaitCapSeconds: readNumber(env, 'QUOTA_WAIT_CAP_SECONDS', 300, 1),
    transientRetrySeconds: readNumber(env, 'TRANSIENT_RETRY_SECONDS', 5),
    requestDeadlineSeconds: readNumber(env, 'REQUEST_DEADLINE_SECONDS', 24 * 3600, 1),
    reservationTimeoutSeconds: readNumber(env, 'RESERVATION_TIMEOUT_SECONDS', 300, 1),
    admissionLeaseSeconds: readNumber(env, 'ADMISSION_LEASE_SECONDS', 120, 1),
    maxRequestBytes: readNumber(env, 'MAX_REQUEST_BYTES', 64 * 1024, 1),
    requestRetentionDays: readNumber(env, 'REQUEST_RETENTION_DAYS', 30, 1),
    idempotencyExpirySeconds: readNumber(env, 'IDEMPOTENCY_EXPIRY_SECONDS', 24 * 3600, 1),
    adminPrincipalArns: readList(env, 'ADMIN_PRINCIPAL_ARNS'),
    sageMakerMaxAttempts: readNumber(env, 'SAGEMAKER_MAX_ATTEMPTS', 3, 1),
    stuckAfterSeconds: readNumber(env, 'STUCK_AFTER_SECONDS', 1800, 1),
    reconcilerMaxPages: readNumber(env, 'RECONCILER_MAX_PAGES', 10, 1),
    localCallerArn: env.LOCAL_CALLER_ARN || undefined,
  };
}
