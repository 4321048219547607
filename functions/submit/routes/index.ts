import { buildOpenApiDocument } from '../openapi';
import { jsonResponse } from '../http';
import { postApps } from './apps';
import { getQuota, putQuota } from './quota';
import { cancelRequest, getRequest, listRequests } from './requests';
import type { Route } from './route';

export type { Route, RoutedRequest, HttpMethod, OperationDoc } from './route';

const getOpenApi: Route = {
  method: 'GET',
  path: '/openapi.json',
  isPublic: true,
  doc: {
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: { description: 'The OpenAPI document of the HTTP API' } },
  },
  handle: async () => jsonResponse(200, buildOpenApiDocument(ROUTES)),
};

/** Every HTTP route of the submit function; the router and the OpenAPI document both read this table. */
export const ROUTES: readonly Route[] = [postApps, listRequests, getRequest, cancelRequest, getQuota, putQuota, getOpenApi];

/** Renders the OpenAPI document as `openapi.json` stores it: two-space indentation and a final newline. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(ROUTES), null, 2)}\n`;
}
