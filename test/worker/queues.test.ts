import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeadLetterHandler } from '../../functions/dead-letter/handler';
import { getRequest } from '../../functions/requests/store';
import type { WorkerDeps } from '../../functions/worker/deps';
import { processWorkMessage } from '../../functions/worker/process-message';
import { startSqsEventSource } from '../../infra/local/sqs-event-source';
import { startTestBroker, waitFor, type TestBroker } from '../support/broker';
import { readUsage, setDomainMaxActiveApps } from '../support/quota';
import { captureInputs, currentMessage, deadLetterBodies, interceptCommand, invokeWorker, kernel, purgeWorkQueue, queuedWorkMessages, readRequest, sqsRecord, submit } from './helpers';

let offsetMs = 0;
const now = () => Date.now() + offsetMs;

describe('work queue timing', () => {
  let broker: TestBroker;
  let removers: (() => void)[] = [];

  beforeAll(async () => {
    broker = await startTestBroker({
      now,
      simulator: { now, startupDelayMs: 100, limits: { 'KernelGateway/ml.g4dn.xlarge': 0 } },
      env: { ADMISSION_LEASE_SECONDS: '30', RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2' },
    });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach(async () => {
    await purgeWorkQueue(broker);
  });

  afterEach(() => {
    removers.forEach((remove) => remove());
    removers = [];
  });

  it('sends integer DelaySeconds in 0..900 for attempts 0..50', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-delays', 0);
    const requestId = await submit(broker, kernel('d-delays', 'long-waits'));
    const draws = [0, 0.3, 0.999999];
    let drawIndex = 0;
    const deps: WorkerDeps = {
      ...broker.workerDeps,
      config: { ...broker.workerDeps.config, retryBaseSeconds: 5, retryCapSeconds: 7 * 86_400, quotaWaitCapSeconds: 7 * 86_400 },
      random: () => draws[drawIndex++ % draws.length] ?? 0,
    };
    const sends = captureInputs(broker.workerDeps.sqs, 'SendMessageCommand');
    removers.push(sends.stop);

    let longestWaitSeconds = 0;
    for (let waits = 0; waits <= 50; waits += 1) {
      const before = now();
      await processWorkMessage(deps, { ...(await currentMessage(broker, requestId)), waits });
      const request = await readRequest(broker, requestId);
      longestWaitSeconds = Math.max(longestWaitSeconds, ((request.notBeforeEpochMs ?? 0) - before) / 1000);
    }

    expect(sends.inputs).toHaveLength(51);
    for (const input of sends.inputs) {
      expect(Number.isInteger(input.DelaySeconds)).toBe(true);
      expect(input.DelaySeconds).toBeGreaterThanOrEqual(0);
      expect(input.DelaySeconds).toBeLessThanOrEqual(900);
    }
    expect(longestWaitSeconds).toBeGreaterThan(900);
  });

  it('chains a wait longer than 900 s through notBeforeEpochMs', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-chain', 0);
    const requestId = await submit(broker, kernel('d-chain', 'chained'));
    const deps: WorkerDeps = { ...broker.workerDeps, config: { ...broker.workerDeps.config, retryBaseSeconds: 3600, retryCapSeconds: 3600, quotaWaitCapSeconds: 3600 }, random: () => 0.9 };
    await processWorkMessage(deps, await currentMessage(broker, requestId));
    const waiting = await readRequest(broker, requestId);
    const successor = (await queuedWorkMessages(broker)).find((queued) => queued.messageToken === waiting.messageToken);
    expect(successor?.notBeforeEpochMs).toBe(waiting.notBeforeEpochMs);
    expect((successor?.notBeforeEpochMs ?? 0) - now()).toBeGreaterThan(3000 * 1000);
    const sends = captureInputs(broker.workerDeps.sqs, 'SendMessageCommand');
    removers.push(sends.stop);

    const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(successor))]);

    expect(response.batchItemFailures).toEqual([]);
    expect(sends.inputs).toHaveLength(1);
    expect(sends.inputs[0].DelaySeconds).toBe(900);
    expect(JSON.parse(sends.inputs[0].MessageBody)).toEqual(successor);
    const unchanged = await readRequest(broker, requestId);
    expect(unchanged.state).toBe('WAITING');
    expect(unchanged.messageToken).toBe(successor?.messageToken);
  });

  it('keeps a waiting message when re-queueing fails', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-sendfail1', 0);
    const requestId = await submit(broker, kernel('d-sendfail1', 'send-fails'));
    const before = await readRequest(broker, requestId);
    removers.push(interceptCommand(broker.workerDeps.sqs, 'SendMessageCommand', () => Promise.reject(new Error('SQS is unavailable'))));

    const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(await currentMessage(broker, requestId)), { messageId: 'kept' })]);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'kept' }]);
    const after = await readRequest(broker, requestId);
    expect(after.state).toBe('QUEUED');
    expect(after.messageToken).toBe(before.messageToken);
    expect(after.attempt).toBe(0);
  });

  it('recovers an admitted request whose re-queue failed', async () => {
    const requestId = await submit(broker, kernel('d-sendfail2', 'admitted-send-fails', 'ml.g4dn.xlarge'));
    broker.stack.simulator.setLimit('KernelGateway', 'ml.g4dn.xlarge', 1);
    await processWorkMessage(broker.workerDeps, await currentMessage(broker, (await submit(broker, kernel('d-sendfail2', 'fills-the-pair', 'ml.g4dn.xlarge')))));
    const message = await currentMessage(broker, requestId);
    const removeFailure = interceptCommand(broker.workerDeps.sqs, 'SendMessageCommand', () => Promise.reject(new Error('SQS is unavailable')));

    const failed = await invokeWorker(broker, [sqsRecord(JSON.stringify(message), { messageId: 'first' })]);
    removeFailure();
    const stuck = await readRequest(broker, requestId);
    offsetMs += 31_000;
    const redelivered = await invokeWorker(broker, [sqsRecord(JSON.stringify(message), { messageId: 'again', receiveCount: 2 })]);

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'first' }]);
    expect(stuck.state).toBe('ADMITTED');
    expect((await readUsage(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-sendfail2')).active).toBe(1);
    expect(redelivered.batchItemFailures).toEqual([]);
    const retrying = await readRequest(broker, requestId);
    expect(retrying.state).toBe('RETRYING');
    expect(retrying.attempt).toBe(2);
    expect((await queuedWorkMessages(broker)).map((queued) => queued.messageToken)).toContain(retrying.messageToken);
  });

  it('counts attempts in DynamoDB, not receives', async () => {
    const requestId = await submit(broker, kernel('d-receives', 'many-receives'));

    const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(await currentMessage(broker, requestId)), { receiveCount: 50 })]);

    expect(response.batchItemFailures).toEqual([]);
    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(created.attempt).toBe(1);
  });
});

describe('dead-letter queue', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 100 }, queues: { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('marks a request FAILED when its message dead-letters', async () => {
    const requestId = await submit(broker, kernel('d-deadletter', 'keeps-failing'));
    const removeFailure = interceptCommand(broker.workerDeps.dynamo, 'TransactWriteItemsCommand', (input, call) =>
      JSON.stringify(input).includes(requestId) ? Promise.reject(new Error('DynamoDB rejects this request')) : call(),
    );
    const workers = broker.startWorkers(1);
    try {
      await waitFor(() => deadLetterBodies(broker), (bodies) => bodies.some((body) => body.includes(requestId)), 30_000);
    } finally {
      await workers.stop();
      removeFailure();
    }
    expect((await readRequest(broker, requestId)).state).toBe('QUEUED');

    const deadLetters = startSqsEventSource({
      sqs: broker.workerDeps.sqs,
      queueUrl: broker.stack.config.deadLetterQueueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:studio-app-broker-dlq',
      functionName: 'deadLetter',
      handler: createDeadLetterHandler(broker.workerDeps),
      waitTimeSeconds: 1,
    });
    try {
      const failed = await waitFor(() => getRequest(broker.workerDeps.dynamo, broker.stack.config.requestsTableName, requestId), (request) => request?.state === 'FAILED', 15_000);
      expect(failed?.failure?.reason).toBe('DLQ');
      // SQS carries the receive count over to the dead-letter queue, so it is at least maxReceiveCount.
      const receives = Number(/after (\d+) receives/.exec(failed?.failure?.message ?? '')?.[1]);
      expect(receives).toBeGreaterThanOrEqual(3);
    } finally {
      await deadLetters.stop();
    }
    expect(await deadLetterBodies(broker)).toEqual([]);
  });
});
