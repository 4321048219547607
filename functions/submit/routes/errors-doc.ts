import { errorBodySchema } from '../contract';
import type { ResponseDoc } from './route';

/** Error responses that routes share, for the OpenAPI document. */
export function errorResponse(description: string, headers?: Record<string, string>): ResponseDoc {
  return { description, schema: errorBodySchema, ...(headers === undefined ? {} : { headers }) };
}

export const UNAUTHENTICATED = errorResponse('The request carries no IAM caller identity (MissingCallerIdentity)');
