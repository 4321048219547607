import { randomUUID } from 'node:crypto';
import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import { createEventBridgePublisher } from '../events/publisher';
import { createDynamoDocumentClient, createSqsClient } from '../shared/aws';
import { loadConfig } from '../shared/config';
import { logger, publishMetrics } from '../shared/observability';
import type { SubmitDeps } from './deps';
import { detectEntry } from './entry';
import { ApiError, UnsupportedEventError } from './errors';
import { jsonResponse, type HttpEvent, type HttpResult } from './http';
import { runBareRequest, runInvocation, type InvocationResult } from './invocation';
import { routeHttpEvent } from './router';
import { createSubmitOperations, type SubmitOperations } from './runtime';
import { runEventBridgeEvent } from './scheduled';
import { REQUEST_BYTES_CEILING } from './submit-request';

/**
 * The submit function's handler. An HTTP API event gets an HTTP result; an EventBridge event, a
 * direct invocation or a bare CreateApp input gets an InvocationResult. An unsupported event
 * raises UnsupportedEventError.
 */
export interface SubmitHandler {
  (event: HttpEvent, context: Context): Promise<HttpResult>;
  (event: unknown, context: Context): Promise<HttpResult | InvocationResult>;
}

function toErrorResponse(error: unknown): HttpResult {
  if (error instanceof ApiError) {
    logger.info('Request rejected', { statusCode: error.statusCode, code: error.code, errorMessage: error.message });
    return jsonResponse(error.statusCode, error.toBody(), error.headers);
  }

  logger.error('Failed to handle HTTP request', { error: error as Error });
  const internal = new ApiError(500, 'InternalError', 'The broker failed to handle the request; retry it, with the same Idempotency-Key for POST /apps');
  return jsonResponse(500, internal.toBody());
}

/** Middy middleware that turns any error of an HTTP route into the API's JSON error body. */
function apiErrorMiddleware(): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: async (request) => {
      request.response = toErrorResponse(request.error);
    },
  };
}

/** Builds the HTTP API path: middy normalises header names, the router dispatches, and one middleware shapes errors. */
function createHttpHandler(operations: SubmitOperations) {
  return middy<HttpEvent, HttpResult, Error, Context>((event: HttpEvent, context: Context) => routeHttpEvent(operations, event, context))
    .use(httpHeaderNormalizer())
    .use(apiErrorMiddleware());
}

async function dispatch(operations: SubmitOperations, handleHttp: ReturnType<typeof createHttpHandler>, event: unknown, context: Context): Promise<HttpResult | InvocationResult> {
  const entry = detectEntry(event);
  logger.appendKeys({ entryKind: entry.kind });

  switch (entry.kind) {
    case 'http':
      return handleHttp(entry.event, context);
    case 'eventBridge':
      return runEventBridgeEvent(operations, entry.event, context);
    case 'invocation':
      return runInvocation(operations, entry.payload, context);
    case 'bareRequest':
      return runBareRequest(operations, entry.input, context);
    case 'unsupported': {
      const error = new UnsupportedEventError(entry.description);
      logger.error('Unsupported event', { eventKind: entry.description, error });
      throw error;
    }
  }
}

/** Builds the submit function's handler around the given dependencies. */
export function createSubmitHandler(deps: SubmitDeps): SubmitHandler {
  const operations = createSubmitOperations(deps);
  const handleHttp = createHttpHandler(operations);
  if (deps.config.maxRequestBytes > REQUEST_BYTES_CEILING) {
    logger.warn('MAX_REQUEST_BYTES is above the ceiling; the ceiling applies', { maxRequestBytes: deps.config.maxRequestBytes, ceilingBytes: REQUEST_BYTES_CEILING });
  }

  const handle = async (event: unknown, context: Context): Promise<HttpResult | InvocationResult> => {
    logger.addContext(context);
    try {
      return await dispatch(operations, handleHttp, event, context);
    } finally {
      logger.resetKeys();
      publishMetrics();
    }
  };
  return handle as SubmitHandler;
}

export function createDefaultSubmitDeps(env: Record<string, string | undefined> = process.env): SubmitDeps {
  const config = loadConfig(env);
  return {
    config,
    dynamo: createDynamoDocumentClient(config),
    sqs: createSqsClient(config),
    now: Date.now,
    newId: randomUUID,
    publisher: createEventBridgePublisher(config),
  };
}

let defaultHandler: SubmitHandler | undefined;

export const handler: SubmitHandler = ((event: unknown, context: Context) => {
  defaultHandler ??= createSubmitHandler(createDefaultSubmitDeps());
  return defaultHandler(event, context);
}) as SubmitHandler;
