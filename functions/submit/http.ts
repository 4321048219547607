import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getRequest } from '../requests/store';
import { toRequestView } from '../requests/model';
import type { SubmitDeps } from './deps';
import { ApiError } from './errors';
import { submitRequest } from './submit-request';

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
 * Reads a JSON request body: base64 bodies are decoded first, the media type is matched without
 * case and parameters, and every failure is a 4xx ApiError.
 */
export function readJsonBody(event: HttpEvent): unknown {
  const contentType = headerOf(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ApiError(415, 'UnsupportedMediaType', `Content-Type must be application/json, got '${contentType ?? '(none)'}'`);
  }

  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  if (text.trim() === '') throw new ApiError(400, 'MalformedJson', 'The request body is empty; send a CreateApp input as JSON');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, 'MalformedJson', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function callerArnOf(event: HttpEvent): string {
  return event.requestContext?.authorizer?.iam?.userArn ?? 'anonymous';
}

async function postApps(deps: SubmitDeps, event: HttpEvent): Promise<HttpResult> {
  const view = await submitRequest(deps, {
    input: readJsonBody(event),
    callerArn: callerArnOf(event),
    idempotencyKey: headerOf(event, 'idempotency-key'),
  });
  return jsonResponse(202, view, { location: `/requests/${view.requestId}` });
}

async function getRequestRoute(deps: SubmitDeps, requestId: string): Promise<HttpResult> {
  const request = await getRequest(deps.dynamo, deps.config.requestsTableName, requestId);
  if (request === undefined) throw new ApiError(404, 'NotFound', `Request ${requestId} was not found`);
  return jsonResponse(200, toRequestView(request));
}

interface Route {
  method: string;
  pattern: RegExp;
  handle: (deps: SubmitDeps, event: HttpEvent, params: string[]) => Promise<HttpResult>;
}

const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/apps\/?$/, handle: (deps, event) => postApps(deps, event) },
  { method: 'GET', pattern: /^\/requests\/([^/]+)\/?$/, handle: (deps, _event, [id]) => getRequestRoute(deps, decodeURIComponent(id ?? '')) },
];

/** Routes an HTTP API (payload 2.0) event; unknown paths are 404, known paths with another method 405. */
export async function routeHttpEvent(deps: SubmitDeps, event: HttpEvent): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const matching = ROUTES.filter((route) => route.pattern.test(path));
  if (matching.length === 0) throw new ApiError(404, 'NotFound', `No route for ${method} ${path}`);

  const route = matching.find((candidate) => candidate.method === method);
  if (route === undefined) throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}`);
  const params = route.pattern.exec(path)?.slice(1) ?? [];
  return route.handle(deps, event, params);
}
