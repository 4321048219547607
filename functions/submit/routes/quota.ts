import { domainPolicySchema, domainQuotaSchema } from '../../quota/policy';
import { assertAdmin } from '../access';
import { domainIdSchema } from '../contract';
import { ApiError } from '../errors';
import { fieldErrorsOf } from '../field-errors';
import { jsonResponse, readJsonBody } from '../http';
import { errorResponse, UNAUTHENTICATED } from './errors-doc';
import { parseParameters } from './requests';
import type { Route } from './route';

export const getQuota: Route = {
  method: 'GET',
  path: '/domains/{domainId}/quota',
  doc: {
    operationId: 'getDomainQuota',
    summary: "Read a domain's quota policy and usage",
    description: 'Any authenticated caller may read it. A domain without a policy has `policy: null` and uses defaultMaxActiveApps.',
    pathParams: { domainId: domainIdSchema },
    responses: {
      200: { description: 'Policy and usage counters', schema: domainQuotaSchema },
      400: errorResponse('The domain id is invalid'),
      401: UNAUTHENTICATED,
    },
  },
  async handle(operations, { params }) {
    const domainId = parseParameters(domainIdSchema, params.domainId, 'domain id', 'domainId');
    return jsonResponse(200, await operations.readQuota(domainId));
  },
};

export const putQuota: Route = {
  method: 'PUT',
  path: '/domains/{domainId}/quota',
  doc: {
    operationId: 'putDomainQuota',
    summary: "Replace a domain's quota policy (admins only)",
    description:
      'Replaces the whole policy: per-type limits absent from the body are removed. Usage counters are kept; a limit below ' +
      'the current usage admits nothing until usage falls under it.',
    pathParams: { domainId: domainIdSchema },
    requestBody: domainPolicySchema,
    responses: {
      200: { description: 'The new policy and the usage counters', schema: domainQuotaSchema },
      400: errorResponse('Malformed JSON, an invalid domain id, or an invalid policy'),
      401: UNAUTHENTICATED,
      403: errorResponse('The caller is not in ADMIN_PRINCIPAL_ARNS (Forbidden)'),
      409: errorResponse('Concurrent policy writes kept conflicting (PolicyWriteConflict); retry'),
      413: errorResponse('The body is larger than MAX_REQUEST_BYTES'),
      415: errorResponse('Content-Type is not application/json'),
    },
  },
  async handle(operations, { event, caller, params }) {
    assertAdmin(caller, 'change quota policies');
    const domainId = parseParameters(domainIdSchema, params.domainId, 'domain id', 'domainId');
    const body = readJsonBody(event, operations.deps.config);

    const parsed = domainPolicySchema.safeParse(body);
    if (!parsed.success) {
      const details = fieldErrorsOf(parsed.error, body, 'quota policy');
      throw new ApiError(400, 'ValidationFailed', `The quota policy is invalid: ${details.length} rule(s) failed`, details);
    }
    return jsonResponse(200, await operations.writeQuota(caller, domainId, parsed.data));
  },
};
