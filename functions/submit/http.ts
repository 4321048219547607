import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BrokerConfig } from '../shared/config';
import { ApiError } from './errors';
import { assertWithinSizeLimit } from './submit-request';

export type HttpEvent = APIGatewayProxyEventV2WithIAMAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Header value by case-insensitive name; API Gateway lower-cases names, local tools may not. */
export function headerOf(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1];
}

/**
 * Reads a JSON request body. The media type is matched without case and parameters
 * (`Application/JSON; charset=utf-8` is JSON), a base64 body is decoded first, and the decoded
 * size is checked against the limit before parsing. Every failure is a 4xx ApiError.
 */
export function readJsonBody(event: HttpEvent, config: BrokerConfig): unknown {
  const contentType = headerOf(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(415, 'UnsupportedMediaType', `Content-Type must be application/json, got '${contentType ?? '(none)'}'`, [
      { field: 'content-type', rule: 'mediaType', message: 'must be application/json' },
    ]);
  }

  const bytes = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  assertWithinSizeLimit(config, bytes.length);

  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    throw new ApiError(400, 'MalformedJson', 'The request body is empty; send a JSON object', [
      { field: '(body)', rule: 'required', message: 'is required' },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'MalformedJson', `The request body is not valid JSON: ${(error as Error).message}`, [
      { field: '(body)', rule: 'json', message: 'must be valid JSON' },
    ]);
  }
}

/** IAM principal ARN that API Gateway's IAM authorizer verified, if any. */
export function callerArnOf(event: HttpEvent): string | undefined {
  const userArn = event.requestContext?.authorizer?.iam?.userArn;
  return typeof userArn === 'string' && userArn !== '' ? userArn : undefined;
}
