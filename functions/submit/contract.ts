import { z } from 'zod';
import { FAILURE_REASONS, REQUEST_STATES, type FailureReason } from '../requests/model';
import { createAppRequestSchema } from '../requests/schema';

/**
 * Zod schemas of the API's inputs and outputs. The handlers validate inputs with them, and
 * `openapi.ts` turns all of them into the OpenAPI document, so the document cannot drift from
 * what the handlers accept.
 */

type MissingFailureReasons = Exclude<FailureReason, (typeof FAILURE_REASONS)[number]>;
// Fails to compile when FailureReason gains a member that FAILURE_REASONS lacks.
const failureReasonsAreComplete: [MissingFailureReasons] extends [never] ? true : never = true;
void failureReasonsAreComplete;

export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 25;

/** SageMaker's CreateApp input, named for the document. */
export const createAppInputSchema = createAppRequestSchema.meta({
  id: 'CreateAppRequest',
  description: "Input of SageMaker's CreateApp (PascalCase members, as boto3 and the AWS CLI send it)",
});

export const domainIdSchema = createAppRequestSchema.shape.DomainId;
export const requestIdSchema = z.string().min(1).max(128);
export const requestStateSchema = z.enum(REQUEST_STATES);

export const fieldErrorSchema = z
  .object({
    field: z.string().meta({ description: 'Dotted member path, e.g. `ResourceSpec.InstanceType`, or `(body)`' }),
    rule: z.string().meta({ description: 'Failed rule, e.g. required, type, enum, pattern, minLength, maxLength, maxItems, minimum, maximum, unknownField, or a cross-field rule' }),
    message: z.string(),
  })
  .meta({ id: 'FieldError' });

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable error code, e.g. ValidationFailed, NotFound, IdempotencyKeyReused' }),
      message: z.string(),
      details: z.array(fieldErrorSchema),
    }),
  })
  .meta({ id: 'Error', description: 'Body of every error response' });

const failureSchema = z.object({
  reason: z.enum(FAILURE_REASONS),
  message: z.string(),
  errorName: z.string().optional(),
  quotaName: z.string().optional(),
});

const attemptRecordSchema = z.object({
  attempt: z.number().int(),
  atEpochMs: z.number().int(),
  outcome: z.enum(['CREATED', 'RETRY', 'WAIT', 'FAILED', 'ADOPTED']),
  errorName: z.string().optional(),
  message: z.string().optional(),
  delaySeconds: z.number().optional(),
});

export const requestViewSchema = z
  .object({
    requestId: z.string(),
    state: requestStateSchema,
    attempts: z.number().int().meta({ description: 'CreateApp attempts made so far' }),
    domainId: z.string(),
    appType: z.string(),
    appName: z.string(),
    userProfileName: z.string().optional(),
    spaceName: z.string().optional(),
    instanceType: z.string().meta({ description: "Instance type that quotas count; KernelGateway's `system` is ml.t3.medium" }),
    appArn: z.string().optional(),
    appEndedAtEpochMs: z.number().int().optional().meta({ description: 'When the app of a READY request was found Deleted or Failed and its quota slot freed' }),
    failure: failureSchema.optional(),
    lastError: z.object({ errorName: z.string(), message: z.string(), atEpochMs: z.number().int() }).optional(),
    notBeforeEpochMs: z.number().int().optional(),
    createdAtEpochMs: z.number().int(),
    updatedAtEpochMs: z.number().int(),
    history: z.array(attemptRecordSchema),
    input: createAppInputSchema,
  })
  .meta({ id: 'Request', description: 'A broker request as the API returns it' });

export const requestPageSchema = z
  .object({
    items: z.array(requestViewSchema),
    nextToken: z.string().optional().meta({ description: 'Opaque token of the next page; absent on the last page' }),
  })
  .meta({ id: 'RequestPage' });

/** Query parameters of `GET /requests`; unknown parameters are rejected so that typos do not go unnoticed. */
export const listQuerySchema = z
  .object({
    domainId: domainIdSchema.optional(),
    state: requestStateSchema.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
    nextToken: z.string().min(1).max(4096).optional(),
  })
  .strict();

export type ListQuery = z.infer<typeof listQuerySchema>;

const callerArnSchema = z
  .string()
  .min(1)
  .max(2048)
  .meta({ description: 'IAM principal the request is recorded for; defaults to `direct-invocation`' });
const idempotencyKeySchema = z.string().min(1).max(256);

/**
 * Payload of a direct Lambda invocation by another service. An object with `request` and no
 * `action` is a submit, which is the shape an EventBridge Scheduler target uses.
 */
export const directInvocationSchema = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('submit'), request: createAppInputSchema, idempotencyKey: idempotencyKeySchema.optional(), callerArn: callerArnSchema.optional() }).strict(),
    z.object({ action: z.literal('get'), requestId: requestIdSchema, callerArn: callerArnSchema.optional() }).strict(),
    z.object({ action: z.literal('cancel'), requestId: requestIdSchema, callerArn: callerArnSchema.optional() }).strict(),
    z
      .object({
        action: z.literal('list'),
        domainId: domainIdSchema.optional(),
        state: requestStateSchema.optional(),
        limit: z.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
        nextToken: z.string().min(1).max(4096).optional(),
        callerArn: callerArnSchema.optional(),
      })
      .strict(),
  ])
  .meta({ id: 'DirectInvocation', description: 'Payload of a direct Lambda invocation of the submit function' });

export type DirectInvocation = z.infer<typeof directInvocationSchema>;

/** Result of a direct invocation or an EventBridge event: the HTTP status code and the same body as HTTP. */
export const invocationResultSchema = z
  .object({ statusCode: z.number().int(), body: z.unknown() })
  .meta({ id: 'InvocationResult', description: 'Result of a direct invocation: the HTTP status code and the HTTP response body as an object' });
