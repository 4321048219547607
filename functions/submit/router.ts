import type { Context } from 'aws-lambda';
import { callerOf } from './access';
import { ApiError } from './errors';
import { callerArnOf, type HttpEvent, type HttpResult } from './http';
import { ROUTES, type Route } from './routes';
import type { SubmitOperations } from './runtime';

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  paramNames: string[];
}

/** Turns `/requests/{requestId}` into a pattern with one capture group per parameter; a trailing slash is allowed. */
function compile(route: Route): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), paramNames };
}

const COMPILED_ROUTES = ROUTES.map(compile);

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'InvalidParameter', `The path segment '${segment}' is not valid percent-encoding`);
  }
}

/**
 * Routes an HTTP API (payload 2.0) event. An unknown path is 404, and a known path with another
 * method is 405 with an `allow` header. A route that is not public needs the IAM caller identity
 * that API Gateway verified, and returns 401 without it.
 */
export async function routeHttpEvent(operations: SubmitOperations, event: HttpEvent, context?: Context): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  const matching = COMPILED_ROUTES.filter((compiled) => compiled.pattern.test(path));
  if (matching.length === 0) throw new ApiError(404, 'NoRoute', `No route for ${method} ${path}`);

  const compiled = matching.find((candidate) => candidate.route.method === method);
  if (compiled === undefined) {
    const allowed = matching.map((candidate) => candidate.route.method).join(', ');
    throw new ApiError(405, 'MethodNotAllowed', `${method} is not allowed on ${path}; use ${allowed}`, [], { allow: allowed });
  }

  const values = compiled.pattern.exec(path)?.slice(1) ?? [];
  const params = Object.fromEntries(compiled.paramNames.map((name, index) => [name, decodeSegment(values[index] ?? '')]));
  const callerArn = callerArnOf(event) ?? operations.deps.config.localCallerArn;
  if (callerArn === undefined && compiled.route.isPublic !== true) {
    throw new ApiError(401, 'MissingCallerIdentity', 'The request carries no IAM caller identity; sign it with SigV4 (the API uses IAM authorization)');
  }

  const caller = callerOf(callerArn ?? 'anonymous', operations.deps.config.adminPrincipalArns);
  return compiled.route.handle(operations, { event, caller, params, context });
}
