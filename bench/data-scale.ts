import type { SQSEvent } from 'aws-lambda';
import { reconcile, type ReconcileSummary } from '../functions/reconciler/reconcile';
import { startSqsEventSource } from '../infra/local/sqs-event-source';
import type { CreateAppRequest } from '../functions/requests/schema';
import { startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker';
import { seedRequests } from './seed-requests';
import { sleep, summarizeLatencies, type LatencySummary } from './stats';
import { createdEvents, kernelGatewayInput, waitUntil } from './workload';

export interface DataScaleSettings {
  /** Seeded requests at each step, in increasing order, because the table only grows. */
  sizes: number[];
  /** Requests submitted and worked one at a time at each step. */
  probeRequests: number;
  timeoutMs: number;
}

export interface ReconcilerRun {
  milliseconds: number;
  summary: ReconcileSummary;
}

export interface DataScaleStep {
  storedRequests: number;
  seedSeconds: number;
  submitLatency: LatencySummary;
  workerLatency: LatencySummary;
  /** The run that finds the probe requests' apps InService and marks them READY. */
  reconcileSettle: ReconcilerRun;
  /** The run after their apps were deleted, which frees their slots. */
  reconcileRelease: ReconcilerRun;
}

const STARTUP_DELAY_MS = 200;
const DELETE_DELAY_MS = 200;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:studio-app-broker-requests';

async function timeReconcile(subject: InstrumentedBroker): Promise<ReconcilerRun> {
  const deps = subject.broker.workerDeps;
  const startedAtMs = performance.now();
  const summary = await reconcile(deps, { now: Date.now, stopAtEpochMs: Date.now() + 60_000, maxPages: deps.config.reconcilerMaxPages });
  return { milliseconds: performance.now() - startedAtMs, summary };
}

/** Runs the worker handler on one record at a time and times each invocation, until every request is CREATED. */
async function timeWorker(subject: InstrumentedBroker, requestIds: string[], timeoutMs: number): Promise<number[]> {
  const { broker } = subject;
  const latenciesMs: number[] = [];
  const source = startSqsEventSource({
    sqs: broker.workerDeps.sqs,
    queueUrl: broker.stack.config.workQueueUrl,
    queueArn: QUEUE_ARN,
    functionName: 'worker',
    batchSize: 1,
    concurrency: 1,
    waitTimeSeconds: 1,
    handler: async (event: SQSEvent, context) => {
      const startedAtMs = performance.now();
      const response = await broker.workerHandler(event, context);
      latenciesMs.push(performance.now() - startedAtMs);
      return response;
    },
  });
  const expectedIds = new Set(requestIds);
  const createdCount = () => createdEvents(broker.stack.simulator).filter((event) => expectedIds.has(event.detail.requestId)).length;
  await waitUntil(() => createdCount() >= expectedIds.size, timeoutMs, 100);
  await source.stop();
  return latenciesMs;
}

async function measureStep(subject: InstrumentedBroker, settings: DataScaleSettings, storedRequests: number, seedSeconds: number): Promise<DataScaleStep> {
  const inputs = Array.from({ length: settings.probeRequests }, (_, index) => kernelGatewayInput(`d-scale${index % 10}`, index, `scale${storedRequests}`, 'ml.m5.large') as CreateAppRequest);
  const submitLatenciesMs: number[] = [];
  const requestIds: string[] = [];
  for (const input of inputs) {
    const outcome = await subject.submit(input);
    submitLatenciesMs.push(outcome.latencyMs);
    if (outcome.requestId !== undefined) requestIds.push(outcome.requestId);
  }
  const workerLatenciesMs = await timeWorker(subject, requestIds, settings.timeoutMs);

  await sleep(STARTUP_DELAY_MS + 100);
  const reconcileSettle = await timeReconcile(subject);
  const simulator = subject.broker.stack.simulator;
  for (const input of inputs) simulator.deleteApp(input);
  await sleep(DELETE_DELAY_MS + 100);
  const reconcileRelease = await timeReconcile(subject);

  return { storedRequests, seedSeconds, submitLatency: summarizeLatencies(submitLatenciesMs), workerLatency: summarizeLatencies(workerLatenciesMs), reconcileSettle, reconcileRelease };
}

/**
 * Measures part 3: the same probe (submit, work, two reconciler runs) against a requests table
 * seeded with a growing number of finished requests. A cost that grows with the table points to
 * a query or scan over it on the request path.
 */
export async function runDataScale(settings: DataScaleSettings): Promise<DataScaleStep[]> {
  const subject = await startInstrumentedBroker({
    simulator: { defaultLimit: 1_000_000, startupDelayMs: STARTUP_DELAY_MS, deleteDelayMs: DELETE_DELAY_MS },
    env: { DEFAULT_DOMAIN_MAX_ACTIVE_APPS: '1000000' },
  });
  const steps: DataScaleStep[] = [];
  try {
    let seeded = 0;
    for (const size of settings.sizes) {
      const seedStartedAtMs = performance.now();
      await seedRequests(subject.benchDynamo, subject.broker.stack.config.requestsTableName, seeded, size);
      const seedSeconds = (performance.now() - seedStartedAtMs) / 1000;
      seeded = size;
      steps.push(await measureStep(subject, settings, size, seedSeconds));
    }
    return steps;
  } finally {
    await subject.stop();
  }
}
