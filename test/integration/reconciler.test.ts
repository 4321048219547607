import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { processDeadLetter } from '../../functions/dead-letter/process-dead-letter';
import { reconcile } from '../../functions/reconciler/reconcile';
import type { BrokerRequest } from '../../functions/requests/model';
import { getRequest } from '../../functions/requests/store';
import { createApp } from '../../functions/sagemaker/apps';
import { admit } from '../../functions/worker/admission';
import { submitRequest } from '../../functions/submit/submit-request';
import type { WorkMessage } from '../../functions/queue/messages';
import { startTestBroker, waitFor, type TestBroker } from '../support/broker';
import { readUsage, setDomainMaxActiveApps } from '../support/quota';

let offsetMs = 0;
const now = () => Date.now() + offsetMs;

function kernel(domainId: string, appName: string) {
  return { DomainId: domainId, UserProfileName: 'alice', AppType: 'KernelGateway', AppName: appName, ResourceSpec: { InstanceType: 'ml.t3.medium' } };
}

describe('reconciler', () => {
  let broker: TestBroker;
  const budget = () => ({ now, stopAtEpochMs: now() + 30_000, maxPages: 10 });
  const read = (requestId: string) => getRequest(broker.workerDeps.dynamo, broker.stack.config.requestsTableName, requestId) as Promise<BrokerRequest>;
  const usage = (domainId: string) => readUsage(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId);
  const submit = (input: unknown) => submitRequest(broker.submitDeps, { input, callerArn: 'arn:aws:iam::111122223333:role/test' });

  beforeAll(async () => {
    broker = await startTestBroker({
      now,
      simulator: {
        now,
        startupDelayMs: 5_000,
        deleteDelayMs: 1_000,
        failStartup: (app) => (app.AppName.startsWith('broken') ? 'Lifecycle configuration script failed' : undefined),
      },
      env: { RESERVATION_TIMEOUT_SECONDS: '60', ADMISSION_LEASE_SECONDS: '30', STUCK_AFTER_SECONDS: '120' },
    });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach(() => {
    broker.stack.simulator.reset();
  });

  async function createThroughWorker(input: unknown): Promise<BrokerRequest> {
    const view = await submit(input);
    const workers = broker.startWorkers(1);
    try {
      return await waitFor(() => read(view.requestId), (request) => request.state === 'CREATED');
    } finally {
      await workers.stop();
    }
  }

  it('moves CREATED to READY once the app is InService', async () => {
    const created = await createThroughWorker(kernel('d-recon1', 'ready-1'));
    await reconcile(broker.workerDeps, budget());
    expect((await read(created.requestId)).state).toBe('CREATED');

    offsetMs += 6_000;
    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.ready).toBe(1);
    expect((await read(created.requestId)).state).toBe('READY');
    const readyEvents = broker.stack.simulator.putEvents().filter((event) => event.DetailType === 'Studio App Request Ready');
    expect(readyEvents.map((event) => JSON.parse(event.Detail ?? '{}').requestId)).toContain(created.requestId);
  });

  it('fails a request whose app failed and frees its slot', async () => {
    const created = await createThroughWorker(kernel('d-recon2', 'broken-1'));
    expect((await usage('d-recon2')).active).toBe(1);

    offsetMs += 6_000;
    await reconcile(broker.workerDeps, budget());
    const failed = await read(created.requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('APP_FAILED');
    expect(failed.failure?.message).toContain('Lifecycle configuration script failed');
    expect((await usage('d-recon2')).active).toBe(0);
  });

  it('frees the slot of an app deleted in Studio', async () => {
    const created = await createThroughWorker(kernel('d-recon3', 'deleted-1'));
    offsetMs += 6_000;
    await reconcile(broker.workerDeps, budget());
    expect((await read(created.requestId)).state).toBe('READY');
    expect((await usage('d-recon3')).active).toBe(1);

    broker.stack.simulator.deleteApp({ DomainId: 'd-recon3', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'deleted-1' });
    offsetMs += 2_000;
    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.slotsReleased).toBe(1);
    expect((await usage('d-recon3')).active).toBe(0);
    expect((await usage('d-recon3'))['active#instanceType#ml.t3.medium']).toBe(0);
    const ended = await read(created.requestId);
    expect(ended.state).toBe('READY');
    expect(ended.appEndedAtEpochMs).toBeGreaterThan(0);
    expect(ended.ttlEpochSeconds).toBeGreaterThan(Math.floor(now() / 1000));
  });

  it('does no harm when two runs overlap', async () => {
    const created = await createThroughWorker(kernel('d-recon4', 'twice-1'));
    offsetMs += 6_000;
    await reconcile(broker.workerDeps, budget());
    broker.stack.simulator.deleteApp({ DomainId: 'd-recon4', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'twice-1' });
    offsetMs += 2_000;

    const [first, second] = await Promise.all([reconcile(broker.workerDeps, budget()), reconcile(broker.workerDeps, budget())]);
    expect(first.slotsReleased + second.slotsReleased).toBe(1);
    expect((await usage('d-recon4')).active).toBe(0);
    expect((await read(created.requestId)).state).toBe('READY');
  });

  async function admitWithoutFinishing(input: ReturnType<typeof kernel>): Promise<WorkMessage> {
    const view = await submit(input);
    const request = await read(view.requestId);
    const message: WorkMessage = { requestId: request.requestId, messageToken: request.messageToken, attempt: 0, waits: 0, createdAtEpochMs: request.createdAtEpochMs, deadlineEpochMs: request.deadlineEpochMs, input: request.input };
    const admission = await admit(broker.workerDeps, message);
    expect(admission.kind).toBe('admitted');
    return message;
  }

  it('re-queues a reservation whose worker died before CreateApp', async () => {
    const message = await admitWithoutFinishing(kernel('d-recon5', 'died-before'));
    expect((await usage('d-recon5')).active).toBe(1);

    offsetMs += 30_000;
    await reconcile(broker.workerDeps, budget());
    expect((await read(message.requestId)).state).toBe('ADMITTED');

    offsetMs += 61_000;
    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.requeued).toBe(1);
    const requeued = await read(message.requestId);
    expect(requeued.state).toBe('RETRYING');
    expect(requeued.messageToken).not.toBe(message.messageToken);
    expect((await usage('d-recon5')).active).toBe(0);

    const workers = broker.startWorkers(1);
    try {
      const created = await waitFor(() => read(message.requestId), (request) => request.state === 'CREATED');
      expect(created.appArn).toContain('/died-before');
    } finally {
      await workers.stop();
    }
    expect(broker.stack.simulator.callCounts().CreateApp).toBe(1);
  });

  it('adopts the app of a worker that died after CreateApp', async () => {
    const message = await admitWithoutFinishing(kernel('d-recon6', 'died-after'));
    const appArn = await createApp(broker.workerDeps.sageMaker, message.input, message.requestId);

    offsetMs += 91_000;
    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.adopted).toBe(1);
    const adopted = await read(message.requestId);
    expect(adopted.state).toBe('CREATED');
    expect(adopted.appArn).toBe(appArn);
    expect((await usage('d-recon6')).active).toBe(1);
    expect(broker.stack.simulator.callCounts().CreateApp).toBe(1);
  });

  it('re-sends the message of a request that lost it', async () => {
    const requestId = randomUUID();
    const input = kernel('d-recon7', 'lost-message');
    const stuck: BrokerRequest = {
      requestId,
      state: 'QUEUED',
      attempt: 0,
      messageToken: 'token-of-a-lost-message',
      domainId: input.DomainId,
      appType: input.AppType,
      appName: input.AppName,
      ownerKind: 'UserProfile',
      ownerName: 'alice',
      instanceType: 'ml.t3.medium',
      input: input as BrokerRequest['input'],
      callerArn: 'arn:aws:iam::111122223333:role/test',
      createdAtEpochMs: now() - 200_000,
      updatedAtEpochMs: now() - 200_000,
      deadlineEpochMs: now() + 3_600_000,
      history: [],
    };
    await broker.workerDeps.dynamo.send(new PutCommand({ TableName: broker.stack.config.requestsTableName, Item: stuck }));

    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.resent).toBe(1);
    const workers = broker.startWorkers(1);
    try {
      const created = await waitFor(() => read(requestId), (request) => request.state === 'CREATED');
      expect(created.appArn).toContain('/lost-message');
    } finally {
      await workers.stop();
    }
  });

  it('marks a request FAILED with reason DLQ when its message dead-letters', async () => {
    const view = await submit(kernel('d-recon8', 'dead-letter'));
    const request = await read(view.requestId);
    const body = JSON.stringify({ requestId: request.requestId, messageToken: request.messageToken, attempt: 0, waits: 0, createdAtEpochMs: request.createdAtEpochMs, deadlineEpochMs: request.deadlineEpochMs, input: request.input });

    expect(await processDeadLetter(broker.workerDeps, body, 5)).toBe('failed');
    const failed = await read(view.requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('DLQ');
    expect(failed.failure?.message).toContain('after 5 receives');
    expect(await processDeadLetter(broker.workerDeps, body, 6)).toBe('ignored');
  });

  it('wakes a waiting request when a slot frees', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-recon9', 1);
    const first = await createThroughWorker(kernel('d-recon9', 'wake-first'));
    offsetMs += 6_000;
    await reconcile(broker.workerDeps, budget());
    expect((await read(first.requestId)).state).toBe('READY');

    const second = await submit(kernel('d-recon9', 'wake-second'));
    const workers = broker.startWorkers(1);
    try {
      const waiting = await waitFor(() => read(second.requestId), (request) => request.state === 'WAITING');
      expect(waiting.lastError?.errorName).toBe('DomainQuotaFull');

      broker.stack.simulator.deleteApp({ DomainId: 'd-recon9', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'wake-first' });
      offsetMs += 2_000;
      const summary = await reconcile(broker.workerDeps, budget());
      expect(summary.slotsReleased).toBe(1);
      expect(summary.woken).toBe(1);
      const woken = await read(second.requestId);
      expect(woken.messageToken).not.toBe(waiting.messageToken);
      expect(woken.notBeforeEpochMs).toBeUndefined();

      const created = await waitFor(() => read(second.requestId), (request) => request.state === 'CREATED');
      expect(created.appArn).toContain('/wake-second');
    } finally {
      await workers.stop();
    }
  });

  it('wakes a request refused at the account limit when capacity frees', async () => {
    broker.stack.simulator.setLimit('KernelGateway', 'ml.g5.2xlarge', 1);
    const gpu = (appName: string) => ({ ...kernel('d-recon10', appName), ResourceSpec: { InstanceType: 'ml.g5.2xlarge' } });
    const first = await createThroughWorker(gpu('limit-first'));
    offsetMs += 6_000;
    await reconcile(broker.workerDeps, budget());
    expect((await read(first.requestId)).state).toBe('READY');

    const second = await submit(gpu('limit-second'));
    const workers = broker.startWorkers(1);
    let refused: BrokerRequest;
    try {
      refused = await waitFor(() => read(second.requestId), (request) => request.state === 'RETRYING');
    } finally {
      await workers.stop();
    }
    expect(refused.lastError?.errorName).toBe('ResourceLimitExceeded');

    broker.stack.simulator.deleteApp({ DomainId: 'd-recon10', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'limit-first' });
    offsetMs += 2_000;
    const summary = await reconcile(broker.workerDeps, budget());
    expect(summary.woken).toBe(1);
    const woken = await read(second.requestId);
    expect(woken.state).toBe('RETRYING');
    expect(woken.messageToken).not.toBe(refused.messageToken);
    expect(woken.notBeforeEpochMs).toBeUndefined();
  });
});
