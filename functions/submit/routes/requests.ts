import type { z } from 'zod';
import { listQuerySchema, requestIdSchema, requestPageSchema, requestViewSchema } from '../contract';
import { ApiError } from '../errors';
import { fieldErrorsOf } from '../field-errors';
import { jsonResponse } from '../http';
import { errorResponse, UNAUTHENTICATED } from './errors-doc';
import type { Route } from './route';

/**
 * Parses a query string or path value with `schema`; a failure is a 400 naming each parameter.
 * `field` names a single path value in the details.
 */
export function parseParameters<T extends z.ZodType>(schema: T, values: unknown, inputName: string, field?: string): z.infer<T> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const details = fieldErrorsOf(parsed.error, values, inputName).map((detail) =>
      field !== undefined && detail.field === '(body)' ? { ...detail, field } : detail,
    );
    throw new ApiError(400, 'InvalidParameter', `The ${inputName} is invalid: ${details.map((detail) => `${detail.field} ${detail.message}`).join('; ')}`, details);
  }
  return parsed.data;
}

const NOT_FOUND = errorResponse("No such request, or the request is someone else's (NotFound)");

export const listRequests: Route = {
  method: 'GET',
  path: '/requests',
  doc: {
    operationId: 'listRequests',
    summary: 'List requests, newest first',
    description:
      'A caller sees its own requests; an admin (ADMIN_PRINCIPAL_ARNS) sees every request and must filter by domainId or state. ' +
      'Order: createdAtEpochMs descending, or updatedAtEpochMs descending for an admin listing by state alone. A page may hold ' +
      'fewer than `limit` items while nextToken is present.',
    query: listQuerySchema,
    responses: {
      200: { description: 'One page of requests', schema: requestPageSchema },
      400: errorResponse('An invalid or unknown query parameter, an invalid nextToken, or an admin listing without a filter'),
      401: UNAUTHENTICATED,
    },
  },
  async handle(operations, { event, caller }) {
    const query = parseParameters(listQuerySchema, event.queryStringParameters ?? {}, 'query string');
    return jsonResponse(200, await operations.list(caller, query));
  },
};

export const getRequest: Route = {
  method: 'GET',
  path: '/requests/{requestId}',
  doc: {
    operationId: 'getRequest',
    summary: 'Read a request',
    pathParams: { requestId: requestIdSchema },
    responses: {
      200: { description: 'The request', schema: requestViewSchema },
      401: UNAUTHENTICATED,
      404: NOT_FOUND,
    },
  },
  async handle(operations, { caller, params }) {
    const requestId = parseParameters(requestIdSchema, params.requestId, 'request id', 'requestId');
    return jsonResponse(200, await operations.get(caller, requestId));
  },
};

export const cancelRequest: Route = {
  method: 'DELETE',
  path: '/requests/{requestId}',
  doc: {
    operationId: 'cancelRequest',
    summary: 'Cancel a request that has not reached CreateApp',
    description:
      'Moves a QUEUED, WAITING or RETRYING request to CANCELLED in one conditional write and publishes a ' +
      '"Studio App Request Cancelled" event. Cancelling a CANCELLED request returns it unchanged.',
    pathParams: { requestId: requestIdSchema },
    responses: {
      200: { description: 'The cancelled request', schema: requestViewSchema },
      401: UNAUTHENTICATED,
      404: NOT_FOUND,
      409: errorResponse('The request is ADMITTED, CREATED, READY or FAILED; the message names the state (NotCancellable)'),
    },
  },
  async handle(operations, { caller, params }) {
    const requestId = parseParameters(requestIdSchema, params.requestId, 'request id', 'requestId');
    return jsonResponse(200, await operations.cancel(caller, requestId));
  },
};
