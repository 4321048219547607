import { reconcile, type ReconcileSummary } from '../functions/reconciler/reconcile';
import { isFinal, type BrokerRequest } from '../functions/requests/model';
import { capacityFigures, type CapacityFigures, type RequestTimeline } from './capacity-metrics';
import { startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker';
import { runNaiveBaseline, type NaiveRunResult } from './naive-baseline';
import { appTimelines, creationTimesByIndex, domainIdsOf, planRequests, simulatorOptionsOf, startSimulatedUsers, type PlannedRequest, type ScarceSettings } from './scarce-scenario';
import { ratio, sleep } from './stats';
import { countStates, scanRequests, waitUntil } from './workload';

export interface BrokerRunResult {
  figures: CapacityFigures;
  finalStates: Record<string, number>;
  /** Requests that were not in a final state when the run stopped waiting. */
  unsettled: number;
  reconciler: { runs: number; errors: string[]; totals: Partial<Record<keyof ReconcileSummary, number>> };
  workerStats: Record<string, number>;
  /** AWS requests of the worker, its pollers and the reconciler per created app, by operation. */
  requestsPerCreatedApp: Record<string, number>;
}

export interface ScarceCapacityResult {
  settings: ScarceSettings;
  broker: BrokerRunResult;
  naive: NaiveRunResult;
  ratios: Record<string, number | undefined>;
}

/** Calls the reconciler every `intervalMs` until stop() is called, as its schedule would. */
function startReconcilerLoop(subject: InstrumentedBroker, intervalMs: number) {
  const deps = subject.broker.workerDeps;
  const state = { running: true, runs: 0, errors: [] as string[], totals: {} as Partial<Record<keyof ReconcileSummary, number>> };
  const loop = (async () => {
    while (state.running) {
      try {
        const summary = await reconcile(deps, { now: Date.now, stopAtEpochMs: Date.now() + 5000, maxPages: deps.config.reconcilerMaxPages });
        for (const [key, value] of Object.entries(summary) as [keyof ReconcileSummary, number][]) state.totals[key] = (state.totals[key] ?? 0) + value;
      } catch (error) {
        if (state.errors.length < 10) state.errors.push(String(error));
      }
      state.runs += 1;
      await sleep(intervalMs);
    }
  })();
  async function stop(): Promise<void> {
    state.running = false;
    await loop;
  }
  return { state, stop };
}

/** Submits each planned request at its arrival time; returns the submit time and request id by index. */
async function submitOnSchedule(subject: InstrumentedBroker, plan: PlannedRequest[]) {
  const arrivals = new Map<number, { atEpochMs: number; requestId?: string }>();
  await Promise.all(
    plan.map(async (request) => {
      await sleep(request.arrivalOffsetMs);
      const atEpochMs = Date.now();
      const outcome = await subject.submit(request.input);
      arrivals.set(request.index, { atEpochMs, requestId: outcome.requestId });
    }),
  );
  return arrivals;
}

function requestTimelines(plan: PlannedRequest[], arrivals: Map<number, { atEpochMs: number; requestId?: string }>, stored: Map<string, BrokerRequest>, createdAt: Map<number, number>, endAtEpochMs: number): RequestTimeline[] {
  return plan.map((request) => {
    const arrival = arrivals.get(request.index);
    const storedRequest = arrival?.requestId === undefined ? undefined : stored.get(arrival.requestId);
    const failedAtEpochMs = storedRequest?.state === 'FAILED' ? storedRequest.updatedAtEpochMs : undefined;
    const created = createdAt.get(request.index);
    return {
      domainId: request.domainId,
      arrivalAtEpochMs: arrival?.atEpochMs ?? endAtEpochMs,
      createdAtEpochMs: created,
      settledAtEpochMs: Math.min(created ?? failedAtEpochMs ?? endAtEpochMs, endAtEpochMs),
    };
  });
}

/** Runs the broker's side of part 2: submits on schedule with workers and reconciler running, until every request settles. */
async function runBroker(settings: ScarceSettings, plan: PlannedRequest[]): Promise<BrokerRunResult> {
  const subject = await startInstrumentedBroker({
    simulator: simulatorOptionsOf(settings),
    env: {
      RETRY_BASE_SECONDS: String(settings.retryBaseSeconds),
      RETRY_CAP_SECONDS: String(settings.retryCapSeconds),
      // Waiters for domain quota are woken by the reconciler loop when a slot frees.
      QUOTA_WAIT_CAP_SECONDS: String(settings.quotaWaitCapSeconds),
      DEFAULT_DOMAIN_MAX_ACTIVE_APPS: String(settings.domainQuota),
    },
  });
  const { simulator, config } = subject.broker.stack;
  const source = subject.broker.startWorkers(2, 10);
  const reconciler = startReconcilerLoop(subject, settings.reconcilerIntervalMs);
  const users = startSimulatedUsers(simulator, plan);

  try {
    const startAtEpochMs = Date.now();
    const arrivals = await submitOnSchedule(subject, plan);
    let stored: BrokerRequest[] = [];
    const allSettled = async () => {
      stored = await scanRequests(subject.benchDynamo, config.requestsTableName);
      return stored.length >= plan.length && stored.every((request) => isFinal(request.state));
    };
    await waitUntil(allSettled, Math.max(0, startAtEpochMs + settings.timeoutMs - Date.now()), 1000);
    await allSettled();

    const createdAt = creationTimesByIndex(simulator, plan);
    const unsettled = stored.filter((request) => !isFinal(request.state)).length;
    const settledTimes = [...createdAt.values(), ...stored.filter((request) => request.state === 'FAILED').map((request) => request.updatedAtEpochMs)];
    const endAtEpochMs = unsettled > 0 ? Date.now() : Math.max(startAtEpochMs, ...settledTimes);
    const requests = requestTimelines(plan, arrivals, new Map(stored.map((request) => [request.requestId, request])), createdAt, endAtEpochMs);
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
    const counts = subject.counter.snapshot().byOperation;
    const perApp = Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('worker/')).map(([key, count]) => [key, count / Math.max(1, figures.created)]));
    return { figures, finalStates: countStates(stored), unsettled, reconciler: reconciler.state, workerStats: { ...source.stats }, requestsPerCreatedApp: perApp };
  } finally {
    users.stop();
    await reconciler.stop();
    await source.stop();
    await subject.stop();
  }
}

/**
 * Part 2: scarce capacity. The broker and the naive baseline run at the same time, each against
 * its own simulator with the same limit, arrivals and app lifetimes, in real time.
 */
export async function runScarceCapacity(settings: ScarceSettings): Promise<ScarceCapacityResult> {
  const plan = planRequests(settings);
  const [broker, naive] = await Promise.all([runBroker(settings, plan), runNaiveBaseline(settings, plan)]);
  const brokerFigures = broker.figures;
  const naiveFigures = naive.figures;
  return {
    settings,
    broker,
    naive,
    ratios: {
      createdShare: ratio(brokerFigures.createdShare, naiveFigures.createdShare),
      createAppCallsPerCreated: ratio(brokerFigures.createAppCallsPerCreated, naiveFigures.createAppCallsPerCreated),
      freeToCreateP50: ratio(brokerFigures.freeToCreate.p50Ms, naiveFigures.freeToCreate.p50Ms),
      freeToCreateP95: ratio(brokerFigures.freeToCreate.p95Ms, naiveFigures.freeToCreate.p95Ms),
      idleSlotSeconds: ratio(brokerFigures.idleSlotSeconds, naiveFigures.idleSlotSeconds),
      jainIndex: ratio(brokerFigures.jainIndex, naiveFigures.jainIndex),
    },
  };
}
