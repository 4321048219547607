/**
 * Starts the SageMaker simulator: one HTTP server on 127.0.0.1 that speaks SageMaker's and
 * EventBridge's awsJson1_1 protocol on every path, and the control API under `/_sim/`.
 */
import { AppStore } from './apps';
import { handleAwsRequest } from './aws-protocol';
import { CONTROL_PATH_PREFIX, handleControlRequest } from './control';
import { EventRecorder } from './events';
import { FaultQueue } from './faults';
import { identityKey } from './identity';
import { DEFAULT_LIMIT, LimitTable } from './limits';
import { sageMakerOperations, type OperationHandler } from './operations';
import { listenOnLoopback, type HttpRequest } from './server';
import { parseAppIdentity } from './validation';
import type { AppIdentity, SageMakerSimulator, SimulatorOptions } from './types';

const DEFAULT_STARTUP_DELAY_MS = 2000;
const DEFAULT_DELETE_DELAY_MS = 1000;
const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

function incrementCount(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Returns the identity key a CreateApp body names, or undefined when members are missing. */
function requestedIdentityKey(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) {
    return undefined;
  }
  const { DomainId, AppType, AppName, UserProfileName, SpaceName } = body as Record<string, unknown>;
  const owner = UserProfileName ?? SpaceName;
  const allStrings = [DomainId, AppType, AppName, owner].every((member) => typeof member === 'string');
  if (!allStrings) {
    return undefined;
  }
  return identityKey({
    DomainId: DomainId as string,
    AppType: AppType as string,
    AppName: AppName as string,
    UserProfileName: owner as string,
  });
}

export async function startSageMakerSimulator(options: SimulatorOptions = {}): Promise<SageMakerSimulator> {
  const now = options.now ?? Date.now;
  const limits = new LimitTable(options.limits, options.defaultLimit ?? DEFAULT_LIMIT);
  const store = new AppStore({
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '111122223333',
    startupDelayMs: options.startupDelayMs ?? DEFAULT_STARTUP_DELAY_MS,
    deleteDelayMs: options.deleteDelayMs ?? DEFAULT_DELETE_DELAY_MS,
    retentionMs: options.retentionMs ?? DEFAULT_RETENTION_MS,
    now,
    ...(options.failStartup !== undefined && { failStartup: options.failStartup }),
    limits,
  });
  const faults = new FaultQueue();
  const recorder = new EventRecorder(faults, now);
  const callCounts = new Map<string, number>();
  const createAppCalls = new Map<string, number>();

  const operations = new Map<string, OperationHandler>();
  for (const [operation, handler] of Object.entries(sageMakerOperations(store))) {
    operations.set(`SageMaker.${operation}`, handler);
  }
  operations.set('AWSEvents.PutEvents', (body) => recorder.putEvents(body));

  const onCall = (operation: string, body: unknown): void => {
    incrementCount(callCounts, operation);
    const key = operation === 'CreateApp' ? requestedIdentityKey(body) : undefined;
    if (key !== undefined) {
      incrementCount(createAppCalls, key);
    }
  };

  const handleRequest = (request: HttpRequest) => {
    if (request.path.startsWith(CONTROL_PATH_PREFIX)) {
      return handleControlRequest(simulator, request);
    }
    return handleAwsRequest(request, { operations, faults, onCall });
  };
  const server = await listenOnLoopback(options.port ?? 0, handleRequest);

  const simulator: SageMakerSimulator = {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    close: () => server.close(),
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setLimit: (appType, instanceType, limit) => limits.set(appType, instanceType, limit),
    deleteApp: (identity: AppIdentity) => store.delete(parseAppIdentity(identity)),
    listAppRecords: () => store.list(),
    callCounts: () => Object.fromEntries(callCounts),
    createAppCallsByIdentity: () => Object.fromEntries(createAppCalls),
    putEvents: () => recorder.events(),
    reset: () => {
      store.clear();
      faults.clear();
      callCounts.clear();
      createAppCalls.clear();
      recorder.clear();
    },
  };
  return simulator;
}
