import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { RequestView } from '../requests/model';
import type { CreateAppRequest } from '../requests/schema';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';
import { acceptRequest } from './submit-request';

/** Seconds a caller should wait before retrying while the first submission with its key still runs. */
export const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

/** Prefix of every idempotency record's key; fixed so that renaming the function keeps old records valid. */
const IDEMPOTENCY_KEY_PREFIX = 'studio-app-broker-submit';

/** Payload of the idempotency layer: it hashes `scope` for the record key and compares `input` on a repeat. */
interface KeyedSubmission {
  scope: { callerArn: string; idempotencyKey: string };
  input: CreateAppRequest;
}

export interface Acceptance {
  view: RequestView;
  /** True when `view` is the stored result of an earlier submission with the same key. */
  replayed: boolean;
}

/** Accepts a checked CreateApp input, once per (caller ARN, idempotency key) when a key is given. */
export type AcceptOnce = (input: CreateAppRequest, callerArn: string, idempotencyKey: string | undefined, context?: Context) => Promise<Acceptance>;

function createPersistenceStore(deps: SubmitDeps): BasePersistenceLayer | undefined {
  if (deps.idempotencyStore !== undefined) return deps.idempotencyStore;
  if (deps.config.idempotencyTableName === '') return undefined;

  const client = new DynamoDBClient({ region: deps.config.region, endpoint: deps.config.endpoints.dynamodb });
  return new DynamoDBPersistenceLayer({ tableName: deps.config.idempotencyTableName, awsSdkV3Client: client });
}

/** Converts the idempotency layer's rejections into 409 ApiErrors; other errors pass through. */
function toApiError(error: unknown, idempotencyKey: string): unknown {
  if (error instanceof IdempotencyValidationError) {
    return new ApiError(
      409,
      'IdempotencyKeyReused',
      `Idempotency-Key '${idempotencyKey}' was already used with a different request body; use a new key for a different request`,
    );
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new ApiError(
      409,
      'IdempotencyKeyInProgress',
      `A request with Idempotency-Key '${idempotencyKey}' is still being accepted; retry after ${IN_PROGRESS_RETRY_AFTER_SECONDS} second(s)`,
      [],
      { 'retry-after': String(IN_PROGRESS_RETRY_AFTER_SECONDS) },
    );
  }
  return error;
}

/**
 * Builds the submit step with Powertools idempotency. A key is scoped to the caller's ARN, so two
 * callers may use the same key. The first submission with a key stores its result for
 * IDEMPOTENCY_EXPIRY_SECONDS. A repeat with the same input returns that result without sending a
 * second message, and a repeat with another input is rejected. A submission that fails leaves no
 * record, so its retry runs again. Without a key every call creates a new request.
 */
export function createAcceptOnce(deps: SubmitDeps): AcceptOnce {
  const persistenceStore = createPersistenceStore(deps);
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'input',
    expiresAfterSeconds: deps.config.idempotencyExpirySeconds,
    responseHook: (response) => ({ ...(response as object), replayed: true }),
  });

  const acceptKeyed = async (submission: KeyedSubmission): Promise<Acceptance> => {
    const view = await acceptRequest(deps, submission.input, submission.scope.callerArn, submission.scope.idempotencyKey);
    // The store marshals the result for DynamoDB, which rejects undefined members.
    return { view: JSON.parse(JSON.stringify(view)) as RequestView, replayed: false };
  };
  const acceptKeyedOnce =
    persistenceStore === undefined
      ? undefined
      : makeIdempotent(acceptKeyed, { persistenceStore, config: idempotencyConfig, keyPrefix: IDEMPOTENCY_KEY_PREFIX });

  return async (input, callerArn, idempotencyKey, context) => {
    if (idempotencyKey === undefined) return { view: await acceptRequest(deps, input, callerArn), replayed: false };
    if (acceptKeyedOnce === undefined) {
      throw new ApiError(500, 'IdempotencyNotConfigured', 'The broker has no IDEMPOTENCY_TABLE_NAME; submit without an Idempotency-Key');
    }

    // The in-progress record then expires with the invocation, so a timed-out attempt does not block retries.
    if (context !== undefined) idempotencyConfig.registerLambdaContext(context);
    try {
      return await acceptKeyedOnce({ scope: { callerArn, idempotencyKey }, input });
    } catch (error) {
      throw toApiError(error, idempotencyKey);
    }
  };
}
