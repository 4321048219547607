import type { SageMakerSimulator, SimulatedApp, SimulatorOptions } from '../infra/sagemaker-sim';
import type { CreateAppRequest } from '../functions/requests/schema';
import type { AppTimeline } from './capacity-metrics';
import { seededRandom } from './stats';
import { kernelGatewayInput } from './workload';

export interface ScarceSettings {
  requests: number;
  /** Apps of the instance type the account may run at once (the simulator's limit). */
  capacity: number;
  appType: 'KernelGateway';
  instanceType: string;
  /** Share of the requests each domain sends, with one entry per domain. */
  domainWeights: number[];
  /** Active apps each domain may hold in the broker (DEFAULT_DOMAIN_MAX_ACTIVE_APPS). */
  domainQuota: number;
  meanInterArrivalMs: number;
  /** Time an app stays InService before its simulated user deletes it, drawn uniformly. */
  lifetimeMinMs: number;
  lifetimeMaxMs: number;
  startupDelayMs: number;
  deleteDelayMs: number;
  reconcilerIntervalMs: number;
  retryBaseSeconds: number;
  retryCapSeconds: number;
  /** Backoff cap of requests waiting for domain quota (QUOTA_WAIT_CAP_SECONDS). */
  quotaWaitCapSeconds: number;
  naiveMaxAttempts: number;
  naiveFirstDelayMs: number;
  /** Both runs stop waiting for requests after this long. */
  timeoutMs: number;
  seed: number;
}

export interface PlannedRequest {
  index: number;
  domainId: string;
  arrivalOffsetMs: number;
  lifetimeMs: number;
  input: CreateAppRequest;
}

export function simulatorOptionsOf(settings: ScarceSettings): SimulatorOptions {
  return {
    limits: { [`${settings.appType}/${settings.instanceType}`]: settings.capacity },
    startupDelayMs: settings.startupDelayMs,
    deleteDelayMs: settings.deleteDelayMs,
  };
}

export function domainIdsOf(settings: ScarceSettings): string[] {
  return settings.domainWeights.map((_, index) => `d-scarce${index}`);
}

/** Domains in exact proportion to their weights, in a seeded random order. */
function domainSequence(settings: ScarceSettings, random: () => number): string[] {
  const domainIds = domainIdsOf(settings);
  const counts = settings.domainWeights.map((weight) => Math.round(weight * settings.requests));
  counts[0] = (counts[0] ?? 0) + settings.requests - counts.reduce((sum, count) => sum + count, 0);
  const sequence = domainIds.flatMap((domainId, index) => Array.from({ length: counts[index] ?? 0 }, () => domainId));
  for (let index = sequence.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [sequence[index], sequence[other]] = [sequence[other] as string, sequence[index] as string];
  }
  return sequence;
}

/** Plans the requests both runs send: Poisson arrivals, domains by weight and one lifetime per request. */
export function planRequests(settings: ScarceSettings): PlannedRequest[] {
  const random = seededRandom(settings.seed);
  const domains = domainSequence(settings, random);
  let arrivalOffsetMs = 0;
  return domains.map((domainId, index) => {
    if (index > 0) arrivalOffsetMs += -Math.log(1 - random()) * settings.meanInterArrivalMs;
    const lifetimeMs = settings.lifetimeMinMs + random() * (settings.lifetimeMaxMs - settings.lifetimeMinMs);
    const input = kernelGatewayInput(domainId, index, 'scarce', settings.instanceType) as CreateAppRequest;
    return { index, domainId, arrivalOffsetMs: Math.round(arrivalOffsetMs), lifetimeMs: Math.round(lifetimeMs), input };
  });
}

export function appKeyOf(app: Pick<SimulatedApp, 'DomainId' | 'UserProfileName' | 'AppType' | 'AppName'>): string {
  return `${app.DomainId}/${app.UserProfileName ?? ''}/${app.AppType}/${app.AppName}`;
}

/**
 * Deletes each app, as its user would, once it has been InService for its request's lifetime.
 * Polls the simulator's records in this process every `intervalMs` until stop() is called.
 */
export function startSimulatedUsers(simulator: SageMakerSimulator, plan: PlannedRequest[], intervalMs = 50): { stop(): void } {
  const lifetimeByKey = new Map(plan.map((request) => [appKeyOf({ ...request.input }), request.lifetimeMs]));
  const timer = setInterval(() => {
    const nowEpochMs = Date.now();
    for (const app of simulator.listAppRecords()) {
      const lifetimeMs = lifetimeByKey.get(appKeyOf(app));
      const isDue = app.Status === 'InService' && lifetimeMs !== undefined && nowEpochMs >= app.startupEndsAtEpochMs + lifetimeMs;
      if (isDue) simulator.deleteApp({ DomainId: app.DomainId, UserProfileName: app.UserProfileName, AppType: app.AppType, AppName: app.AppName });
    }
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

/** Lists the apps of the run as the account limit counts them, with the domain of each. */
export function appTimelines(simulator: SageMakerSimulator): AppTimeline[] {
  return simulator.listAppRecords().map((app) => ({ domainId: app.DomainId, createdAtEpochMs: app.createdAtEpochMs, endedAtEpochMs: app.endedAtEpochMs }));
}

/** Creation time of each planned request's app, by request index. */
export function creationTimesByIndex(simulator: SageMakerSimulator, plan: PlannedRequest[]): Map<number, number> {
  const indexByKey = new Map(plan.map((request) => [appKeyOf({ ...request.input }), request.index]));
  const times = new Map<number, number>();
  for (const app of simulator.listAppRecords()) {
    const index = indexByKey.get(appKeyOf(app));
    if (index !== undefined) times.set(index, app.createdAtEpochMs);
  }
  return times;
}
