import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import type { Caller } from '../access';
import type { HttpEvent, HttpResult } from '../http';
import type { SubmitOperations } from '../runtime';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** An HTTP request after routing: the event, the verified caller and the path parameters. */
export interface RoutedRequest {
  event: HttpEvent;
  caller: Caller;
  params: Record<string, string>;
  context?: Context;
}

export interface ResponseDoc {
  description: string;
  /** Schema of the JSON body; error responses use the common error body. */
  schema?: z.ZodType;
  /** Response headers, by name, with their description. */
  headers?: Record<string, string>;
}

/** OpenAPI description of a route, built from the same zod schemas that the handler uses. */
export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  pathParams?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  requestHeaders?: Record<string, { description: string; schema: z.ZodType }>;
  requestBody?: z.ZodType;
  responses: Record<number, ResponseDoc>;
}

export interface Route {
  method: HttpMethod;
  /** Path in OpenAPI form, e.g. `/requests/{requestId}`. */
  path: string;
  /** Whether the route serves callers without a verified IAM identity. */
  isPublic?: boolean;
  doc: OperationDoc;
  handle(operations: SubmitOperations, request: RoutedRequest): Promise<HttpResult>;
}
