/**
 * The awsJson1_1 protocol: routes on `X-Amz-Target: <Service>.<Operation>`, applies injected faults,
 * and wraps outputs and errors in the envelopes the AWS SDK for JavaScript v3 parses.
 * Every reply carries `Content-Type: application/x-amz-json-1.1` and `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { ServiceError, serializationError } from './errors';
import type { FaultQueue } from './faults';
import type { OperationHandler } from './operations';
import type { HttpReply, HttpRequest } from './server';

export interface AwsProtocolContext {
  /** Handlers keyed by the full target, e.g. `SageMaker.CreateApp` or `AWSEvents.PutEvents`. */
  operations: ReadonlyMap<string, OperationHandler>;
  faults: FaultQueue;
  /** Called once per request to a known operation, before any fault applies. */
  onCall(operation: string, body: unknown): void;
}

function jsonReply(statusCode: number, body: unknown, extraHeaders: Record<string, string> = {}): HttpReply {
  return {
    statusCode,
    body,
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': randomUUID(), ...extraHeaders },
  };
}

function errorReply(error: ServiceError): HttpReply {
  return jsonReply(error.statusCode, error.toEnvelope(), error.headers);
}

function internalFailure(): ServiceError {
  return new ServiceError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
}

function throttled(retryAfterSeconds: number | undefined): ServiceError {
  const headers: Record<string, string> = retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) };
  return new ServiceError(400, 'ThrottlingException', 'Rate exceeded', headers);
}

function parseBody(bodyText: string): unknown {
  if (bodyText.trim() === '') {
    return {};
  }
  try {
    return JSON.parse(bodyText);
  } catch {
    throw serializationError('The request body is not valid JSON.');
  }
}

function runOperation(handler: OperationHandler, bodyText: string): HttpReply {
  try {
    return jsonReply(200, handler(parseBody(bodyText)));
  } catch (error) {
    if (error instanceof ServiceError) {
      return errorReply(error);
    }
    throw error;
  }
}

/** Handles one AWS JSON request; a fault, when one matches, replaces or delays the normal reply. */
export async function handleAwsRequest(request: HttpRequest, context: AwsProtocolContext): Promise<HttpReply> {
  const targetHeader = request.headers['x-amz-target'];
  const target = Array.isArray(targetHeader) ? targetHeader[0] : targetHeader;
  const handler = target === undefined ? undefined : context.operations.get(target);
  if (target === undefined || handler === undefined) {
    const supported = [...context.operations.keys()].join(', ');
    const message = `Unknown operation ${target === undefined ? '(no X-Amz-Target header)' : target}. Supported targets: ${supported}.`;
    return errorReply(new ServiceError(400, 'UnknownOperationException', message));
  }

  const operation = target.slice(target.indexOf('.') + 1);
  context.onCall(operation, safeParse(request.bodyText));

  const fault = context.faults.takeForCall(operation);
  switch (fault?.kind) {
    case 'throttle':
      return errorReply(throttled(fault.retryAfterSeconds));
    case 'internal':
      return errorReply(internalFailure());
    case 'unavailable':
      return errorReply(new ServiceError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again later.'));
    case 'slow':
      await sleep(fault.delayMs);
      return runOperation(handler, request.bodyText);
    case 'createThenInternal': {
      const reply = runOperation(handler, request.bodyText);
      return reply.statusCode === 200 ? errorReply(internalFailure()) : reply;
    }
    default:
      return runOperation(handler, request.bodyText);
  }
}

/** Parses a body for call bookkeeping only; invalid JSON is reported later by the operation. */
function safeParse(bodyText: string): unknown {
  try {
    return parseBody(bodyText);
  } catch {
    return undefined;
  }
}
