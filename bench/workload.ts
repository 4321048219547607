import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SageMakerSimulator } from '../infra/sagemaker-sim';
import { DETAIL_TYPES, type OutcomeDetail } from '../functions/events/publisher';
import type { BrokerRequest } from '../functions/requests/model';
import { sleep } from './stats';

/** Builds a valid CreateApp input for a KernelGateway app, with a user and app name of its own per index. */
export function kernelGatewayInput(domainId: string, index: number, prefix: string, instanceType: string) {
  return {
    DomainId: domainId,
    UserProfileName: `user-${prefix}-${index}`,
    AppType: 'KernelGateway',
    AppName: `kernel-${prefix}-${index}`,
    ResourceSpec: { InstanceType: instanceType },
  };
}

/** Polls `isDone` every `intervalMs` until it is true or `timeoutMs` passed; returns whether it became true. */
export async function waitUntil(isDone: () => boolean | Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<boolean> {
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    if (await isDone()) return true;
    await sleep(intervalMs);
  }
  return isDone();
}

/** CREATED outcome events that the simulator recorded, with the time each was received. */
export function createdEvents(simulator: SageMakerSimulator): { detail: OutcomeDetail; recordedAtEpochMs: number }[] {
  return simulator
    .putEvents()
    .filter((event) => event.DetailType === DETAIL_TYPES.CREATED && event.Detail !== undefined)
    .map((event) => ({ detail: JSON.parse(event.Detail as string) as OutcomeDetail, recordedAtEpochMs: event.recordedAtEpochMs }));
}

/** Reads every stored request with a paginated scan; for end-of-run checks only. */
export async function scanRequests(client: DynamoDBDocumentClient, tableName: string): Promise<BrokerRequest[]> {
  const requests: BrokerRequest[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    requests.push(...((output.Items ?? []) as BrokerRequest[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey !== undefined);
  return requests;
}

/** Number of requests in each state, plus failure reasons as `FAILED:<reason>`. */
export function countStates(requests: readonly BrokerRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const key = request.state === 'FAILED' ? `FAILED:${request.failure?.reason ?? 'unknown'}` : request.state;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Deletes every InService app every `intervalMs` until stop() is called. With zero start-up,
 * delete and retention times in the simulator this keeps its store near empty, because the
 * simulator reads every stored app on each CreateApp and would otherwise slow down as apps pile up.
 */
export function startAppDeleter(simulator: SageMakerSimulator, intervalMs = 20): { stop(): void } {
  const timer = setInterval(() => {
    for (const app of simulator.listAppRecords()) {
      if (app.Status !== 'InService') continue;
      simulator.deleteApp({ DomainId: app.DomainId, UserProfileName: app.UserProfileName, SpaceName: app.SpaceName, AppType: app.AppType, AppName: app.AppName });
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
