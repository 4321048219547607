import { randomUUID } from 'node:crypto';
import { CreateAppCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { toCreateAppInput } from '../functions/sagemaker/apps';
import type { CreateAppRequest } from '../functions/requests/schema';
import { startSageMakerSimulator, type SimulatorOptions } from '../infra/sagemaker-sim';
import { startInstrumentedBroker, type InstrumentedBroker } from './instrumented-broker';
import { ratio, runWithConcurrency, sleep, summarizeLatencies, type LatencySummary } from './stats';
import { countStates, createdEvents, kernelGatewayInput, scanRequests, startAppDeleter, waitUntil } from './workload';

export interface PathCostSettings {
  requests: number;
  /** Requests of the paced run that measures submit-to-CREATED latency. */
  latencyRequests: number;
  /** Submit calls in flight at once, and CreateApp calls in flight in the direct baseline. */
  concurrency: number;
  workerPollers: number;
  batchSize: number;
  domains: number;
  timeoutMs: number;
}

export interface RequestsPerApp {
  byOperation: Record<string, number>;
  total: number;
  emptyReceives: number;
}

export interface PathCostResult {
  settings: PathCostSettings;
  /**
   * The direct baseline. Its first and last tenth of calls show whether the simulator slowed down
   * during the run, as it does when apps pile up, because each CreateApp reads every stored app.
   */
  direct: { calls: number; failures: number; seconds: number; callsPerSecond: number; firstTenthPerSecond: number; lastTenthPerSecond: number };
  submit: { accepted: number; rejected: number; seconds: number; acceptedPerSecond: number; latency: LatencySummary };
  worker: { records: number; created: number; seconds: number; recordsPerSecond: number; createdPerSecond: number; stats: Record<string, number> };
  endToEnd: { createdPerSecond: number; ratioToDirect?: number; workerRatioToDirect?: number };
  latency: { pacedPerSecond: number; created: number; submitToCreated: LatencySummary; requestsPerCreatedApp: RequestsPerApp };
  /** Requests of the drain, where every message found its request stored. */
  requestsPerCreatedApp: RequestsPerApp;
  finalStates: Record<string, number>;
}

const INSTANCE_TYPE = 'ml.m5.large';
const WARMUP_REQUESTS = 20;

/**
 * Simulator options under which nothing contends: no account limit is ever reached, and apps
 * that startAppDeleter deletes are purged at once, so the store stays small.
 */
const UNCONTENDED_SIMULATOR: SimulatorOptions = { defaultLimit: 1_000_000, startupDelayMs: 0, deleteDelayMs: 0, retentionMs: 0 };

function inputOf(settings: PathCostSettings, prefix: string, index: number): CreateAppRequest {
  return kernelGatewayInput(`d-bench${index % settings.domains}`, index, prefix, INSTANCE_TYPE) as CreateAppRequest;
}

/** Sends the CreateApp calls straight to a fresh simulator with the SDK, as the broker's worker would send them. */
async function measureDirect(settings: PathCostSettings): Promise<PathCostResult['direct']> {
  const simulator = await startSageMakerSimulator(UNCONTENDED_SIMULATOR);
  const client = new SageMakerClient({ region: 'us-east-1', endpoint: simulator.url, maxAttempts: 3 });
  const deleter = startAppDeleter(simulator);
  let failures = 0;
  const completedAtMs: number[] = [];
  const send = (prefix: string) => async (index: number) => {
    try {
      await client.send(new CreateAppCommand(toCreateAppInput(inputOf(settings, prefix, index), randomUUID())));
    } catch {
      failures += 1;
    }
    completedAtMs.push(performance.now());
  };
  try {
    await runWithConcurrency(WARMUP_REQUESTS, settings.concurrency, send('warm'));
    failures = 0;
    completedAtMs.length = 0;
    const startedAtMs = performance.now();
    await runWithConcurrency(settings.requests, settings.concurrency, send('direct'));
    const seconds = (performance.now() - startedAtMs) / 1000;

    const tenth = Math.max(1, Math.floor(settings.requests / 10));
    const lastCompletedAtMs = completedAtMs[completedAtMs.length - 1] ?? startedAtMs;
    const firstTenthSeconds = ((completedAtMs[tenth - 1] ?? startedAtMs) - startedAtMs) / 1000;
    const lastTenthSeconds = (lastCompletedAtMs - (completedAtMs[completedAtMs.length - 1 - tenth] ?? startedAtMs)) / 1000;
    return {
      calls: settings.requests,
      failures,
      seconds,
      callsPerSecond: settings.requests / seconds,
      firstTenthPerSecond: tenth / firstTenthSeconds,
      lastTenthPerSecond: tenth / lastTenthSeconds,
    };
  } finally {
    deleter.stop();
    client.destroy();
    await simulator.close();
  }
}

/** Submits `count` requests with bounded concurrency, returning accepted ids and latencies. */
async function submitAll(subject: InstrumentedBroker, settings: PathCostSettings, prefix: string, count: number) {
  const requestIds: string[] = [];
  const latenciesMs: number[] = [];
  let rejected = 0;
  await runWithConcurrency(count, settings.concurrency, async (index) => {
    const outcome = await subject.submit(inputOf(settings, prefix, index));
    latenciesMs.push(outcome.latencyMs);
    if (outcome.requestId === undefined) rejected += 1;
    else requestIds.push(outcome.requestId);
  });
  return { requestIds, latenciesMs, rejected };
}

/** Runs the workers until every request in `requestIds` has a CREATED event or the timeout passed. */
async function workUntilCreated(subject: InstrumentedBroker, settings: PathCostSettings, requestIds: string[]) {
  const expectedIds = new Set(requestIds);
  const simulator = subject.broker.stack.simulator;
  const createdOfRun = () => createdEvents(simulator).filter((event) => expectedIds.has(event.detail.requestId));

  const startedAtEpochMs = Date.now();
  const source = subject.broker.startWorkers(settings.workerPollers, settings.batchSize);
  await waitUntil(() => createdOfRun().length >= expectedIds.size, settings.timeoutMs, 100);
  const created = createdOfRun();
  await source.stop();

  const lastCreatedAtEpochMs = Math.max(startedAtEpochMs, ...created.map((event) => event.recordedAtEpochMs));
  return { created, stats: { ...source.stats }, seconds: (lastCreatedAtEpochMs - startedAtEpochMs) / 1000 };
}

/** Submits one request every `1000 / perSecond` ms while the workers run, then waits for every CREATED. */
async function measurePacedLatency(subject: InstrumentedBroker, settings: PathCostSettings, perSecond: number): Promise<PathCostResult['latency']> {
  const simulator = subject.broker.stack.simulator;
  subject.counter.reset();
  const source = subject.broker.startWorkers(settings.workerPollers, settings.batchSize);
  const submissions: Promise<unknown>[] = [];
  const requestIds = new Set<string>();
  const startedAtMs = performance.now();
  for (let index = 0; index < settings.latencyRequests; index += 1) {
    const dueInMs = startedAtMs + (index * 1000) / perSecond - performance.now();
    if (dueInMs > 0) await sleep(dueInMs);
    submissions.push(subject.submit(inputOf(settings, 'paced', index)).then((outcome) => outcome.requestId && requestIds.add(outcome.requestId)));
  }
  await Promise.all(submissions);

  const createdOfRun = () => createdEvents(simulator).filter((event) => requestIds.has(event.detail.requestId));
  await waitUntil(() => createdOfRun().length >= requestIds.size, settings.timeoutMs, 100);
  await source.stop();
  const latenciesMs = createdOfRun().map((event) => event.detail.updatedAtEpochMs - event.detail.createdAtEpochMs);
  const counts = subject.counter.snapshot();
  return {
    pacedPerSecond: perSecond,
    created: latenciesMs.length,
    submitToCreated: summarizeLatencies(latenciesMs),
    requestsPerCreatedApp: perCreatedApp(counts.byOperation, latenciesMs.length, counts.emptyReceives),
  };
}

function perCreatedApp(counts: Record<string, number>, created: number, emptyReceives: number): RequestsPerApp {
  const byOperation = Object.fromEntries(Object.entries(counts).map(([operation, count]) => [operation, count / Math.max(1, created)]));
  const total = Object.values(byOperation).reduce((sum, value) => sum + value, 0);
  return { byOperation, total, emptyReceives };
}

/**
 * Measures part 1, the cost of the broker's path when nothing contends. The direct baseline
 * sends the same number of CreateApp calls to a fresh simulator. The broker then takes the same
 * number of requests, all submitted before the workers start, so that each stage's throughput is
 * measured alone. A paced run at a quarter of the slower stage's throughput measures
 * submit-to-CREATED latency.
 */
export async function runPathCost(settings: PathCostSettings): Promise<PathCostResult> {
  const direct = await measureDirect(settings);
  const subject = await startInstrumentedBroker({ simulator: UNCONTENDED_SIMULATOR, env: { DEFAULT_DOMAIN_MAX_ACTIVE_APPS: '1000000' } });
  const deleter = startAppDeleter(subject.broker.stack.simulator);
  try {
    const warmup = await submitAll(subject, settings, 'warm', WARMUP_REQUESTS);
    await workUntilCreated(subject, settings, warmup.requestIds);
    subject.counter.reset();

    const submitStartedAtMs = performance.now();
    const submitted = await submitAll(subject, settings, 'path', settings.requests);
    const submitSeconds = (performance.now() - submitStartedAtMs) / 1000;
    const work = await workUntilCreated(subject, settings, submitted.requestIds);
    const counts = subject.counter.snapshot();

    const acceptedPerSecond = submitted.requestIds.length / submitSeconds;
    const recordsPerSecond = work.stats.records / work.seconds;
    const createdPerSecond = work.created.length / work.seconds;
    const pacedPerSecond = Math.max(1, Math.floor(Math.min(acceptedPerSecond, createdPerSecond) / 4));
    const latency = await measurePacedLatency(subject, settings, pacedPerSecond);
    const endToEndPerSecond = work.created.length / (submitSeconds + work.seconds);
    const requests = await scanRequests(subject.benchDynamo, subject.broker.stack.config.requestsTableName);

    return {
      settings,
      direct,
      submit: { accepted: submitted.requestIds.length, rejected: submitted.rejected, seconds: submitSeconds, acceptedPerSecond, latency: summarizeLatencies(submitted.latenciesMs) },
      worker: { records: work.stats.records, created: work.created.length, seconds: work.seconds, recordsPerSecond, createdPerSecond, stats: work.stats },
      endToEnd: { createdPerSecond: endToEndPerSecond, ratioToDirect: ratio(endToEndPerSecond, direct.callsPerSecond), workerRatioToDirect: ratio(createdPerSecond, direct.callsPerSecond) },
      latency,
      requestsPerCreatedApp: perCreatedApp(counts.byOperation, work.created.length, counts.emptyReceives),
      finalStates: countStates(requests),
    };
  } finally {
    deleter.stop();
    await subject.stop();
  }
}
