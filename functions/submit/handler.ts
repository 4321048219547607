import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { Context } from 'aws-lambda';
import { createDynamoDocumentClient, createSqsClient } from '../shared/aws';
import { loadConfig } from '../shared/config';
import { logger, publishMetrics } from '../shared/observability';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';
import { jsonResponse, routeHttpEvent, type HttpEvent, type HttpResult } from './http';

function toErrorResponse(error: unknown): HttpResult {
  if (error instanceof ApiError) {
    logger.info('Request rejected', { statusCode: error.statusCode, code: error.code, errorMessage: error.message });
    return jsonResponse(error.statusCode, error.toBody());
  }
  logger.error('Failed to handle HTTP request', { error: error as Error });
  return jsonResponse(500, new ApiError(500, 'InternalError', 'The broker failed to handle the request; retry with the same Idempotency-Key').toBody());
}

/** Builds the submit function's handler around the given dependencies. */
export function createSubmitHandler(deps: SubmitDeps) {
  const base = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    logger.addContext(context);
    try {
      return await routeHttpEvent(deps, event);
    } catch (error) {
      return toErrorResponse(error);
    } finally {
      publishMetrics();
    }
  };
  return middy(base).use(httpHeaderNormalizer());
}

export function createDefaultSubmitDeps(env: Record<string, string | undefined> = process.env): SubmitDeps {
  const config = loadConfig(env);
  return { config, dynamo: createDynamoDocumentClient(config), sqs: createSqsClient(config), now: Date.now, newId: randomUUID };
}

let defaultHandler: ReturnType<typeof createSubmitHandler> | undefined;

export const handler = (event: HttpEvent, context: Context): Promise<HttpResult> => {
  defaultHandler ??= createSubmitHandler(createDefaultSubmitDeps());
  return defaultHandler(event, context);
};
