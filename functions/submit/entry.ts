import { APIGatewayProxyEventV2Schema, EventBridgeSchema, SqsSchema } from '@aws-lambda-powertools/parser/schemas';
import type { z } from 'zod';
import type { HttpEvent } from './http';

export type EventBridgeEvent = z.infer<typeof EventBridgeSchema>;

/** The entry shape of an event; each goes down exactly one code path of the handler. */
export type Entry =
  | { kind: 'http'; event: HttpEvent }
  | { kind: 'eventBridge'; event: EventBridgeEvent }
  | { kind: 'invocation'; payload: Record<string, unknown> }
  | { kind: 'bareRequest'; input: Record<string, unknown> }
  | { kind: 'unsupported'; description: string };

const MAX_KEYS_IN_DESCRIPTION = 5;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeUnsupported(event: unknown): string {
  if (event === null) return 'null';
  if (Array.isArray(event)) return 'a JSON array';
  if (!isPlainObject(event)) return `a ${typeof event}`;

  const keys = Object.keys(event);
  if (keys.length === 0) return 'an empty object';
  const listedKeys = keys.slice(0, MAX_KEYS_IN_DESCRIPTION).join(', ');
  return `an object with keys ${listedKeys}${keys.length > MAX_KEYS_IN_DESCRIPTION ? ', …' : ''}`;
}

/**
 * Drops the members that HTTP API events may carry as `null` or empty, as serverless-offline
 * sends them (`queryStringParameters: null`, a JWT authorizer without claims), so that the
 * Powertools schema, which expects them absent, accepts the event.
 */
function withoutEmptyHttpFields(event: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  for (const field of ['body', 'queryStringParameters', 'pathParameters', 'stageVariables', 'cookies']) {
    if (copy[field] === null || copy[field] === undefined) delete copy[field];
  }

  const requestContext = copy.requestContext;
  if (isPlainObject(requestContext) && isPlainObject(requestContext.authorizer)) {
    const authorizer = { ...requestContext.authorizer };
    const jwt = authorizer.jwt;
    if (isPlainObject(jwt) && !isPlainObject(jwt.claims)) delete authorizer.jwt;
    copy.requestContext = { ...requestContext, authorizer };
  }
  return copy;
}

/**
 * Detects the entry shape of an event. The Powertools parser schemas come first (HTTP API payload
 * 2.0, SQS, EventBridge). Then an `action` or `request` member marks a direct invocation, and a
 * `DomainId` or `AppType` member a bare CreateApp input, which is what a Scheduler target or a rule
 * target with constant input delivers. An SQS batch is unsupported because it belongs to the worker.
 */
export function detectEntry(event: unknown): Entry {
  if (!isPlainObject(event)) return { kind: 'unsupported', description: describeUnsupported(event) };

  const candidate = event.version === '2.0' ? withoutEmptyHttpFields(event) : event;
  const http = APIGatewayProxyEventV2Schema.safeParse(candidate);
  if (http.success) return { kind: 'http', event: candidate as unknown as HttpEvent };
  if (event.version === '2.0' && isPlainObject(event.requestContext)) {
    const fields = http.error.issues.map((issue) => issue.path.join('.')).join(', ');
    return { kind: 'unsupported', description: `an HTTP API event that does not match payload format 2.0 at ${fields}` };
  }
  if (SqsSchema.safeParse(event).success) return { kind: 'unsupported', description: 'an SQS event' };

  const eventBridge = EventBridgeSchema.safeParse(event);
  if (eventBridge.success) return { kind: 'eventBridge', event: eventBridge.data };

  if ('action' in event || 'request' in event) return { kind: 'invocation', payload: event };
  if ('DomainId' in event || 'AppType' in event) return { kind: 'bareRequest', input: event };
  return { kind: 'unsupported', description: describeUnsupported(event) };
}
