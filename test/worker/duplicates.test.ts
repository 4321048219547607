import { CreateAppCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../infra/local/dynamodb-local';
import { REQUEST_ID_TAG_KEY } from '../../functions/requests/schema';
import { createApp } from '../../functions/sagemaker/apps';
import { admit } from '../../functions/worker/admission';
import { startTestBroker, type TestBroker } from '../support/broker';
import { readUsage, setDomainMaxActiveApps } from '../support/quota';
import { appsByRequestId, currentMessage, identityOf, interceptCommand, invokeWorker, kernel, purgeWorkQueue, readRequest, sqsRecord, submit } from './helpers';

let offsetMs = 0;
const now = () => Date.now() + offsetMs;

describe('duplicate deliveries', () => {
  let broker: TestBroker;
  let foreignClient: SageMakerClient;
  const createAppCalls = (domainId: string, appName: string) => broker.stack.simulator.createAppCallsByIdentity?.()[identityOf(domainId, appName)] ?? 0;
  const usage = (domainId: string) => readUsage(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId);
  const bodyOf = async (requestId: string) => JSON.stringify(await currentMessage(broker, requestId));

  beforeAll(async () => {
    broker = await startTestBroker({ now, simulator: { now, startupDelayMs: 100 }, env: { ADMISSION_LEASE_SECONDS: '30' } });
    foreignClient = new SageMakerClient({ region: 'us-east-1', endpoint: broker.stack.simulator.url, credentials: LOCAL_CREDENTIALS });
  });

  afterAll(async () => {
    foreignClient?.destroy();
    await broker?.stop();
  });

  beforeEach(async () => {
    await purgeWorkQueue(broker);
    broker.stack.simulator.clearFaults();
  });

  it('calls CreateApp once for two concurrent deliveries', async () => {
    const requestId = await submit(broker, kernel('d-dup1', 'concurrent'));
    const body = await bodyOf(requestId);
    broker.stack.simulator.injectFault({ operation: 'CreateApp', kind: 'slow', count: 1, delayMs: 500 });

    const [first, second] = await Promise.all([invokeWorker(broker, [sqsRecord(body, { receiptHandle: 'first' })]), invokeWorker(broker, [sqsRecord(body, { receiptHandle: 'second' })])]);

    expect(createAppCalls('d-dup1', 'concurrent')).toBe(1);
    const failures = [first.batchItemFailures.length, second.batchItemFailures.length].sort();
    expect(failures).toEqual([0, 1]);
    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(created.attempt).toBe(1);
  });

  it('acknowledges a redelivery after a lost invocation', async () => {
    const requestId = await submit(broker, kernel('d-dup2', 'lost-invocation'));
    const body = await bodyOf(requestId);
    await invokeWorker(broker, [sqsRecord(body, { receiptHandle: 'lost' })]);

    const redelivery = await invokeWorker(broker, [sqsRecord(body, { receiptHandle: 'again', receiveCount: 2 })]);

    expect(redelivery.batchItemFailures).toEqual([]);
    expect(createAppCalls('d-dup2', 'lost-invocation')).toBe(1);
    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(created.history.map((entry) => entry.outcome)).toEqual(['CREATED']);
  });

  it('returns a redelivery while the lease is held', async () => {
    const requestId = await submit(broker, kernel('d-dup3', 'leased'));
    const message = await currentMessage(broker, requestId);
    expect((await admit(broker.workerDeps, message)).kind).toBe('admitted');

    const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(message), { messageId: 'leased-message' })]);

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'leased-message' }]);
    expect(createAppCalls('d-dup3', 'leased')).toBe(0);
    const admitted = await readRequest(broker, requestId);
    expect(admitted.state).toBe('ADMITTED');
    expect(admitted.attempt).toBe(1);
  });

  it('takes over an expired lease and adopts its app', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-dup4', 1);
    const requestId = await submit(broker, kernel('d-dup4', 'taken-over'));
    const message = await currentMessage(broker, requestId);
    await admit(broker.workerDeps, message);
    const appArn = await createApp(broker.workerDeps.sageMaker, message.input, requestId);
    offsetMs += 31_000;

    const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(message), { receiveCount: 2 })]);

    expect(response.batchItemFailures).toEqual([]);
    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(created.appArn).toBe(appArn);
    expect(created.attempt).toBe(2);
    expect(created.history.map((entry) => entry.outcome)).toEqual(['ADOPTED']);
    expect(appsByRequestId(broker).get(requestId)).toBe(1);
    expect(createAppCalls('d-dup4', 'taken-over')).toBe(2);
    expect((await usage('d-dup4')).active).toBe(1);
  });

  it('adopts an app tagged with its own request id', async () => {
    const requestId = await submit(broker, kernel('d-dup5', 'own-app'));
    const input = kernel('d-dup5', 'own-app');
    await foreignClient.send(new CreateAppCommand({ ...input, AppType: 'KernelGateway', ResourceSpec: { InstanceType: 'ml.t3.medium' }, Tags: [{ Key: REQUEST_ID_TAG_KEY, Value: requestId }] }));

    await invokeWorker(broker, [sqsRecord(await bodyOf(requestId))]);

    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(created.history.at(-1)?.outcome).toBe('ADOPTED');
    expect(appsByRequestId(broker).get(requestId)).toBe(1);
    expect((await usage('d-dup5')).active).toBe(1);
  });

  it('fails CONFLICT when another owner has the app', async () => {
    const input = kernel('d-dup6', 'foreign-app');
    await foreignClient.send(new CreateAppCommand({ ...input, AppType: 'KernelGateway', ResourceSpec: { InstanceType: 'ml.t3.medium' }, Tags: [{ Key: 'team', Value: 'other' }] }));
    const requestId = await submit(broker, input);

    const response = await invokeWorker(broker, [sqsRecord(await bodyOf(requestId))]);

    expect(response.batchItemFailures).toEqual([]);
    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('CONFLICT');
    expect(failed.failure?.errorName).toBe('ResourceInUse');
    expect(failed.failure?.message).toContain('not created by this request');
    expect((await usage('d-dup6')).active).toBe(0);
    expect(broker.stack.simulator.listAppRecords().filter((app) => app.DomainId === 'd-dup6')).toHaveLength(1);
    expect(appsByRequestId(broker).get(requestId)).toBeUndefined();
  });
});

describe('partial batch responses', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 100 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('lists exactly the unfinished records', async () => {
    const requestId = await submit(broker, kernel('d-batch1', 'done'));
    const done = sqsRecord(JSON.stringify(await currentMessage(broker, requestId)), { messageId: 'done' });
    const invalid = sqsRecord('not json', { messageId: 'invalid' });
    const unknownRequest = sqsRecord(JSON.stringify({ ...(await currentMessage(broker, requestId)), requestId: 'never-stored' }), { messageId: 'unknown' });

    const response = await invokeWorker(broker, [done, invalid, unknownRequest]);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['invalid', 'unknown']);
    expect((await readRequest(broker, requestId)).state).toBe('CREATED');
  });

  it('lists every record when all fail', async () => {
    const records = [sqsRecord('{}', { messageId: 'a' }), sqsRecord('[]', { messageId: 'b' }), sqsRecord('', { messageId: 'c' })];

    const response = await invokeWorker(broker, records);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['a', 'b', 'c']);
  });

  it('lists a record whose handler rejects with a non-Error', async () => {
    const requestId = await submit(broker, kernel('d-batch2', 'rejects'));
    const removeInterceptor = interceptCommand(broker.workerDeps.dynamo, 'TransactWriteItemsCommand', () => Promise.reject('DynamoDB went away'));
    try {
      const response = await invokeWorker(broker, [sqsRecord(JSON.stringify(await currentMessage(broker, requestId)), { messageId: 'rejected' })]);

      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'rejected' }]);
    } finally {
      removeInterceptor();
    }
    expect((await readRequest(broker, requestId)).state).toBe('QUEUED');
  });
});
