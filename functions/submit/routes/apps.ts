import { createAppInputSchema, requestViewSchema } from '../contract';
import { ApiError } from '../errors';
import { headerOf, jsonResponse, readJsonBody } from '../http';
import { IN_PROGRESS_RETRY_AFTER_SECONDS } from '../idempotency';
import { z } from 'zod';
import { errorResponse, UNAUTHENTICATED } from './errors-doc';
import type { Route } from './route';

const MAX_IDEMPOTENCY_KEY_LENGTH = 256;
const idempotencyKeyHeaderSchema = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH);

function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!idempotencyKeyHeaderSchema.safeParse(value).success) {
    throw new ApiError(400, 'InvalidIdempotencyKey', `Idempotency-Key must have 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, [
      { field: 'idempotency-key', rule: 'maxLength', message: `must have 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
    ]);
  }
  return value;
}

export const postApps: Route = {
  method: 'POST',
  path: '/apps',
  doc: {
    operationId: 'submitApp',
    summary: 'Queue a CreateApp request',
    description:
      'Validates the CreateApp input, stores the request as QUEUED and sends its work message. Without an Idempotency-Key ' +
      'every call creates a new request.',
    requestHeaders: {
      'Idempotency-Key': {
        description:
          'Makes the submission idempotent per caller ARN for IDEMPOTENCY_EXPIRY_SECONDS: a repeat with the same body returns the ' +
          'first answer, a repeat with another body is 409',
        schema: idempotencyKeyHeaderSchema,
      },
    },
    requestBody: createAppInputSchema,
    responses: {
      202: {
        description: 'Accepted and queued, or the stored first response to the same Idempotency-Key',
        schema: requestViewSchema,
        headers: { location: 'Path of the request, /requests/{requestId}', 'idempotency-replayed': '`true` on a repeated Idempotency-Key' },
      },
      400: errorResponse('Malformed or empty JSON, a body that is not an object, an invalid CreateApp input, or an invalid Idempotency-Key'),
      401: UNAUTHENTICATED,
      409: errorResponse('The Idempotency-Key was used with another body (IdempotencyKeyReused) or is still in progress (IdempotencyKeyInProgress)', {
        'retry-after': `Seconds to wait, ${IN_PROGRESS_RETRY_AFTER_SECONDS}, on IdempotencyKeyInProgress`,
      }),
      413: errorResponse('The body is larger than MAX_REQUEST_BYTES'),
      415: errorResponse('Content-Type is not application/json'),
    },
  },
  async handle(operations, { event, caller, context }) {
    const input = readJsonBody(event, operations.deps.config);
    const idempotencyKey = idempotencyKeyOf(headerOf(event, 'idempotency-key'));

    const { view, replayed } = await operations.submit(caller, input, idempotencyKey, context);
    const headers: Record<string, string> = { location: `/requests/${view.requestId}` };
    if (replayed) headers['idempotency-replayed'] = 'true';
    return jsonResponse(202, view, headers);
  },
};
