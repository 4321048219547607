/**
 * Control API under `/_sim/`: plain JSON over HTTP that lets scripts and other processes inspect and
 * steer a running simulator. The routes mirror the methods of `SageMakerSimulator`.
 */
import { ServiceError } from './errors';
import type { HttpReply, HttpRequest } from './server';
import type { AppIdentity, Fault, SageMakerSimulator } from './types';

export const CONTROL_PATH_PREFIX = '/_sim/';

function reply(statusCode: number, body: unknown): HttpReply {
  return { statusCode, body, headers: { 'Content-Type': 'application/json' } };
}

function parseJsonObject(bodyText: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText === '' ? '{}' : bodyText);
  } catch {
    throw new TypeError('Invalid request body: expected JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('Invalid request body: expected a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function setLimit(simulator: SageMakerSimulator, body: Record<string, unknown>): void {
  const { appType, instanceType, limit } = body;
  if (typeof appType !== 'string' || typeof instanceType !== 'string' || typeof limit !== 'number') {
    throw new TypeError('Invalid limit: expected {"appType": string, "instanceType": string, "limit": number}.');
  }
  simulator.setLimit(appType, instanceType, limit);
}

function route(simulator: SageMakerSimulator, request: HttpRequest): HttpReply {
  const routeKey = `${request.method} ${request.path.replace(/\/+$/, '')}`;
  switch (routeKey) {
    case 'GET /_sim/apps':
      return reply(200, { apps: simulator.listAppRecords() });
    case 'POST /_sim/apps/delete':
      simulator.deleteApp(parseJsonObject(request.bodyText) as unknown as AppIdentity);
      return reply(200, {});
    case 'POST /_sim/limits':
      setLimit(simulator, parseJsonObject(request.bodyText));
      return reply(200, {});
    case 'POST /_sim/faults':
      simulator.injectFault(parseJsonObject(request.bodyText) as unknown as Fault);
      return reply(200, {});
    case 'DELETE /_sim/faults':
      simulator.clearFaults();
      return reply(200, {});
    case 'GET /_sim/events':
      return reply(200, { events: simulator.putEvents() });
    case 'GET /_sim/calls':
      return reply(200, { calls: simulator.callCounts(), createAppCallsByIdentity: simulator.createAppCallsByIdentity?.() ?? {} });
    case 'POST /_sim/reset':
      simulator.reset();
      return reply(200, {});
    default:
      return reply(404, { message: `No control route ${routeKey}. See infra/sagemaker-sim/README.md for the routes.` });
  }
}

/**
 * Handles one control request. Errors become `{code?, message}` bodies. A SageMaker error keeps its
 * status and code, and invalid input returns 400.
 */
export async function handleControlRequest(simulator: SageMakerSimulator, request: HttpRequest): Promise<HttpReply> {
  try {
    return route(simulator, request);
  } catch (error) {
    if (error instanceof ServiceError) {
      return reply(error.statusCode, { code: error.code, message: error.message });
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      return reply(400, { message: error.message });
    }
    throw error;
  }
}
