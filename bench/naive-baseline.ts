import { CreateAppCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { startSageMakerSimulator } from '../infra/sagemaker-sim';
import { capacityFigures, type CapacityFigures, type RequestTimeline } from './capacity-metrics';
import { appTimelines, creationTimesByIndex, domainIdsOf, simulatorOptionsOf, startSimulatedUsers, type PlannedRequest, type ScarceSettings } from './scarce-scenario';
import { sleep } from './stats';

export interface NaiveRunResult {
  figures: CapacityFigures;
  /** Errors other than ResourceLimitExceeded, by name. */
  otherErrors: Record<string, number>;
}

/**
 * Creates one app as a typical script does: calls CreateApp, and on ResourceLimitExceeded sleeps
 * `naiveFirstDelayMs`, then twice as long each time, giving up after `naiveMaxAttempts` calls.
 * Returns the time at which the request got its app or gave up.
 */
async function naiveClient(client: SageMakerClient, settings: ScarceSettings, request: PlannedRequest, otherErrors: Record<string, number>): Promise<number> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await client.send(new CreateAppCommand(request.input));
      return Date.now();
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'ResourceLimitExceeded') otherErrors[name] = (otherErrors[name] ?? 0) + 1;
      if (name !== 'ResourceLimitExceeded' || attempt >= settings.naiveMaxAttempts) return Date.now();
      await sleep(settings.naiveFirstDelayMs * 2 ** (attempt - 1));
    }
  }
}

/** Runs the baseline of part 2: one naive client per request against a fresh simulator, with the same arrivals and lifetimes. */
export async function runNaiveBaseline(settings: ScarceSettings, plan: PlannedRequest[]): Promise<NaiveRunResult> {
  const simulator = await startSageMakerSimulator(simulatorOptionsOf(settings));
  const client = new SageMakerClient({ region: 'us-east-1', endpoint: simulator.url });
  const users = startSimulatedUsers(simulator, plan);
  const otherErrors: Record<string, number> = {};
  const arrivals = new Map<number, number>();
  const settled = new Map<number, number>();

  try {
    const startAtEpochMs = Date.now();
    await Promise.all(
      plan.map(async (request) => {
        await sleep(request.arrivalOffsetMs);
        arrivals.set(request.index, Date.now());
        settled.set(request.index, await naiveClient(client, settings, request, otherErrors));
      }),
    );
    const endAtEpochMs = Date.now();

    const createdAt = creationTimesByIndex(simulator, plan);
    const requests: RequestTimeline[] = plan.map((request) => ({
      domainId: request.domainId,
      arrivalAtEpochMs: arrivals.get(request.index) ?? startAtEpochMs,
      createdAtEpochMs: createdAt.get(request.index),
      settledAtEpochMs: createdAt.get(request.index) ?? settled.get(request.index) ?? endAtEpochMs,
    }));
    const figures = capacityFigures({
      capacity: settings.capacity,
      domainQuota: settings.domainQuota,
      domainIds: domainIdsOf(settings),
      requests,
      apps: appTimelines(simulator),
      createAppCalls: simulator.callCounts().CreateApp ?? 0,
      startAtEpochMs,
      endAtEpochMs,
    });
    return { figures, otherErrors };
  } finally {
    users.stop();
    client.destroy();
    await simulator.close();
  }
}
