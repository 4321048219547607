import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/sagemaker/apps';
import { admit } from '../../functions/worker/admission';
import { startTestBroker, waitFor, type TestBroker } from '../support/broker';
import { setDomainMaxActiveApps } from '../support/quota';
import { currentMessage, interceptCommand, kernel, readRequest, submit } from './helpers';
import { checkRequests, startAppActivity, startQuotaPoller } from './invariants';

const REQUESTS_PER_RUN = 12;

interface FaultPlan {
  /** Injects the run's faults once its requests are submitted; returns a counter and a cleanup. */
  inject(broker: TestBroker, requestIds: string[]): Promise<{ injected: () => number; remove: () => void }>;
}

/** Fails every `every`-th call of a command, `times` times in all, with the error `makeError` builds. */
function failEvery(broker: TestBroker, client: 'sageMaker' | 'sqs' | 'dynamo', commandName: string, every: number, times: number, makeError: (input: any) => unknown, afterCall = false) {
  let calls = 0;
  let injected = 0;
  const remove = interceptCommand(broker.workerDeps[client], commandName, async (input, call) => {
    calls += 1;
    const shouldFail = injected < times && calls % every === 0;
    if (!shouldFail) return call();
    injected += 1;
    if (afterCall) await call();
    throw makeError(input);
  });
  return { injected: () => injected, remove };
}

function simulatorFault(kind: 'throttle' | 'createThenInternal', count: number): FaultPlan {
  return {
    async inject(broker) {
      broker.stack.simulator.injectFault({ operation: 'CreateApp', kind, count });
      return { injected: () => count, remove: () => broker.stack.simulator.clearFaults() };
    },
  };
}

/** Admits the first requests and stops, as a worker that died after reserving would (optionally after CreateApp). */
function killedWorker(afterCreateApp: boolean): FaultPlan {
  return {
    async inject(broker, requestIds) {
      const victims = requestIds.slice(0, 3);
      for (const requestId of victims) {
        const message = await currentMessage(broker, requestId);
        const admission = await admit(broker.workerDeps, message);
        if (afterCreateApp && admission.kind === 'admitted') await createApp(broker.workerDeps.sageMaker, message.input, requestId);
      }
      return { injected: () => victims.length, remove: () => {} };
    },
  };
}

const FAULT_PLANS: [string, FaultPlan][] = [
  ['SageMaker throttling', simulatorFault('throttle', 6)],
  ['500 after creating the app', simulatorFault('createThenInternal', 4)],
  [
    'slow CreateApp answers',
    {
      async inject(broker) {
        broker.stack.simulator.injectFault({ operation: 'CreateApp', kind: 'slow', count: 4, delayMs: 1_000 });
        return { injected: () => 4, remove: () => broker.stack.simulator.clearFaults() };
      },
    },
  ],
  ['worker killed after reserving', killedWorker(false)],
  ['worker killed after CreateApp', killedWorker(true)],
  [
    'worker killed inside CreateApp',
    { inject: async (broker) => failEvery(broker, 'sageMaker', 'CreateAppCommand', 3, 4, () => new Error('worker killed'), true) },
  ],
  [
    'DynamoDB transaction conflicts',
    {
      inject: async (broker) =>
        failEvery(broker, 'dynamo', 'TransactWriteItemsCommand', 2, 40, (input) =>
          new TransactionCanceledException({
            message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
            $metadata: {},
            CancellationReasons: input.TransactItems.map(() => ({ Code: 'TransactionConflict' })),
          }),
        ),
    },
  ],
  ['SQS re-queue failures', { inject: async (broker) => failEvery(broker, 'sqs', 'SendMessageCommand', 3, 6, () => new Error('SQS SendMessage failed')) }],
];

describe('fault injection', () => {
  let broker: TestBroker;
  const figures: { fault: string; requests: number; faultsInjected: number; violations: number; states: string }[] = [];
  let run = 0;

  beforeAll(async () => {
    broker = await startTestBroker({
      simulator: { startupDelayMs: 50, deleteDelayMs: 50 },
      queues: { visibilityTimeoutSeconds: 3 },
      env: { ADMISSION_LEASE_SECONDS: '2', RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2', TRANSIENT_RETRY_SECONDS: '1', MAX_ATTEMPTS: '20' },
    });
  });

  afterAll(async () => {
    console.table(figures);
    const totals = figures.reduce((sum, figure) => ({ requests: sum.requests + figure.requests, faults: sum.faults + figure.faultsInjected, violations: sum.violations + figure.violations }), { requests: 0, faults: 0, violations: 0 });
    console.log(`fault injection: ${totals.requests} requests, ${totals.faults} faults injected, invariant violations: ${totals.violations}`);
    await broker?.stop();
  });

  it.each(FAULT_PLANS)('keeps its promise under %s', async (fault, plan) => {
    run += 1;
    const quotas = { [`d-fault${run}a`]: 2, [`d-fault${run}b`]: 3 };
    for (const [domainId, quota] of Object.entries(quotas)) await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId, quota);
    const domainIds = Object.keys(quotas);
    const requestIds: string[] = [];
    for (let index = 0; index < REQUESTS_PER_RUN; index += 1) requestIds.push(await submit(broker, kernel(domainIds[index % domainIds.length] ?? '', `fault-${index}`)));

    const poller = startQuotaPoller(broker, quotas, 50);
    const activity = startAppActivity(broker, 150);
    const injection = await plan.inject(broker, requestIds);
    const workers = broker.startWorkers(2, 10);
    try {
      await waitFor(async () => Promise.all(requestIds.map((requestId) => readRequest(broker, requestId))), (requests) => requests.every((request) => ['READY', 'FAILED'].includes(request.state)), 60_000, 250);
    } finally {
      injection.remove();
      await workers.stop();
      await activity.stop();
    }
    const polls = await poller.stop();
    const check = await checkRequests(broker, requestIds);

    figures.push({ fault, requests: requestIds.length, faultsInjected: injection.injected(), violations: polls.violations.length + check.violations.length, states: JSON.stringify(check.byState) });
    expect(injection.injected()).toBeGreaterThan(0);
    expect(polls.violations).toEqual([]);
    expect(check.violations).toEqual([]);
  }, 90_000);
});
