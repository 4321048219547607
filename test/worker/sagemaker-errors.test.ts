import { CreateAppCommand, ResourceLimitExceeded, SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { HOLD_PARTITION_KEY, holdSortKey } from '../../functions/quota/keys';
import { metrics } from '../../functions/shared/observability';
import type { WorkerDeps } from '../../functions/worker/deps';
import { processWorkMessage } from '../../functions/worker/process-message';
import { LOCAL_CREDENTIALS } from '../../infra/local/dynamodb-local';
import { startTestBroker, type TestBroker } from '../support/broker';
import { readUsage, setDomainMaxActiveApps } from '../support/quota';
import { appsByRequestId, captureInputs, currentMessage, identityOf, interceptCommand, kernel, purgeWorkQueue, readRequest, submit } from './helpers';

const ZERO_QUOTA_TYPE = 'ml.g5.xlarge';
const SCARCE_TYPE = 'ml.g4dn.xlarge';

describe('CreateApp errors', () => {
  let broker: TestBroker;
  let removers: (() => void)[] = [];
  const createAppCalls = (domainId: string, appName: string) => broker.stack.simulator.createAppCallsByIdentity?.()[identityOf(domainId, appName)] ?? 0;
  const usage = (domainId: string) => readUsage(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, domainId);
  const step = async (requestId: string, deps: WorkerDeps = broker.workerDeps) => processWorkMessage(deps, await currentMessage(broker, requestId));
  const withConfig = (overrides: Partial<WorkerDeps['config']>, random?: () => number): WorkerDeps => ({
    ...broker.workerDeps,
    config: { ...broker.workerDeps.config, ...overrides },
    ...(random ? { random } : {}),
  });
  const clearHold = (instanceType: string) =>
    broker.workerDeps.dynamo.send(new DeleteCommand({ TableName: broker.stack.config.quotasTableName, Key: { pk: HOLD_PARTITION_KEY, sk: holdSortKey('KernelGateway', instanceType) } }));
  const failCreateAppWith = (error: () => unknown) => removers.push(interceptCommand(broker.workerDeps.sageMaker, 'CreateAppCommand', () => Promise.reject(error())));

  beforeAll(async () => {
    broker = await startTestBroker({
      simulator: { startupDelayMs: 100, limits: { [`KernelGateway/${ZERO_QUOTA_TYPE}`]: 0, [`KernelGateway/${SCARCE_TYPE}`]: 1 } },
      env: { RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2', MAX_ATTEMPTS: '6', TRANSIENT_RETRY_SECONDS: '1' },
    });
    // Another team's app fills the account's only slot of the scarce pair for the whole file.
    const otherTeam = new SageMakerClient({ region: 'us-east-1', endpoint: broker.stack.simulator.url, credentials: LOCAL_CREDENTIALS });
    await otherTeam.send(new CreateAppCommand({ ...kernel('d-otherteam', 'blocker', SCARCE_TYPE), AppType: 'KernelGateway', ResourceSpec: { InstanceType: SCARCE_TYPE } }));
    otherTeam.destroy();
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach(async () => {
    await purgeWorkQueue(broker);
    broker.stack.simulator.clearFaults();
  });

  afterEach(async () => {
    removers.forEach((remove) => remove());
    removers = [];
    vi.restoreAllMocks();
    await Promise.all([clearHold(SCARCE_TYPE), clearHold('ml.t3.medium')]);
  });

  it('fails QUOTA_ZERO after one call', async () => {
    const requestId = await submit(broker, kernel('d-zero', 'no-gpu', ZERO_QUOTA_TYPE));

    await step(requestId);

    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('QUOTA_ZERO');
    expect(failed.failure?.quotaName).toBe(`Studio KernelGateway Apps running on ${ZERO_QUOTA_TYPE} instance`);
    expect(failed.failure?.message).toContain(`no ${ZERO_QUOTA_TYPE} app can start`);
    expect(failed.failure?.message).toContain('Request an increase in Service Quotas');
    expect(createAppCalls('d-zero', 'no-gpu')).toBe(1);
    expect((await usage('d-zero')).active).toBe(0);
  });

  it('backs off with full jitter at the account limit', async () => {
    const requestId = await submit(broker, kernel('d-limit1', 'backs-off', SCARCE_TYPE));
    const sends = captureInputs(broker.workerDeps.sqs, 'SendMessageCommand');
    removers.push(sends.stop);
    const deps = withConfig({ maxAttempts: 3 }, () => 0.999);

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await clearHold(SCARCE_TYPE);
      const before = Date.now();
      await step(requestId, deps);
      const request = await readRequest(broker, requestId);
      if (attempt === 3) break;

      expect(request.state).toBe('RETRYING');
      const expectedWaitMs = Math.min(2, 1 * 2 ** (attempt - 1)) * 0.999 * 1000;
      const waitMs = (request.notBeforeEpochMs ?? 0) - before;
      expect(waitMs).toBeGreaterThanOrEqual(Math.max(1000, expectedWaitMs) - 50);
      expect(waitMs).toBeLessThanOrEqual(Math.max(1000, expectedWaitMs) + 1000);
      expect(sends.inputs.at(-1)?.DelaySeconds).toBe(Math.ceil(Math.max(1, Math.min(2, 2 ** (attempt - 1)) * 0.999)));
    }

    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(failed.failure?.errorName).toBe('ResourceLimitExceeded');
    expect(createAppCalls('d-limit1', 'backs-off')).toBe(3);
    expect((await usage('d-limit1')).active).toBe(0);
  });

  it('fails DEADLINE_EXCEEDED after the deadline', async () => {
    const requestId = await submit(broker, kernel('d-deadline', 'too-late', SCARCE_TYPE));
    await clearHold(SCARCE_TYPE);
    const message = { ...(await currentMessage(broker, requestId)), deadlineEpochMs: Date.now() - 1 };

    await processWorkMessage(broker.workerDeps, message);

    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('DEADLINE_EXCEEDED');
    expect(failed.failure?.message).toContain('Last error: ResourceLimitExceeded');
  });

  it('holds a refused pair and saves CreateApp calls', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, broker.stack.config.quotasTableName, 'd-hold', 10);
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const sends = captureInputs(broker.workerDeps.sqs, 'SendMessageCommand');
    removers.push(sends.stop);
    const ids: string[] = [];
    for (let index = 0; index < 6; index += 1) ids.push(await submit(broker, kernel('d-hold', `held-${index}`, SCARCE_TYPE)));
    const callsBefore = broker.stack.simulator.callCounts().CreateApp ?? 0;

    const workers = broker.startWorkers(2);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    await workers.stop();

    const saved = addMetric.mock.calls.filter(([name]) => name === 'CreateAppCallsSaved').length;
    const waits = sends.inputs.filter((input) => ids.includes(JSON.parse(input.MessageBody).requestId)).length;
    const createAppCallsMade = (broker.stack.simulator.callCounts().CreateApp ?? 0) - callsBefore;
    console.log(`account-limit hold: ${waits} waits, ${createAppCallsMade} CreateApp calls, ${saved} calls saved`);
    expect(saved).toBeGreaterThan(0);
    expect(createAppCallsMade).toBeLessThan(waits);
    expect(createAppCallsMade + saved).toBeLessThanOrEqual(waits);
    for (const requestId of ids) {
      const request = await readRequest(broker, requestId);
      expect(['WAITING', 'RETRYING']).toContain(request.state);
      expect(request.lastError?.errorName).toBe('ResourceLimitExceeded');
    }
  });

  it('retries an unparseable limit message as at the limit', async () => {
    const requestId = await submit(broker, kernel('d-unparsed', 'unparsed'));
    failCreateAppWith(() => new ResourceLimitExceeded({ message: 'Unable to start more Apps of AppType [KernelGateway] and ResourceSpec(instanceType=[]) for UserProfile []. Please delete an App with a matching AppType and ResourceSpec, then try again', $metadata: {} }));
    const deps = withConfig({ maxAttempts: 2 });

    await step(requestId, deps);
    const retrying = await readRequest(broker, requestId);
    await clearHold('ml.t3.medium');
    await step(requestId, deps);

    expect(retrying.state).toBe('RETRYING');
    expect(retrying.lastError?.message).toContain('Unable to start more Apps');
    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(failed.attempt).toBe(2);
  });

  it.each([
    ['throttle', 'ThrottlingException'],
    ['internal', 'InternalFailure'],
    ['unavailable', 'ServiceUnavailable'],
  ] as const)('re-queues after %s outlives the SDK retries', async (kind, errorName) => {
    const appName = `transient-${kind}`;
    const domainId = `d-transient-${kind}`;
    const requestId = await submit(broker, kernel(domainId, appName));
    const inputs = captureInputs(broker.workerDeps.sageMaker, 'CreateAppCommand');
    removers.push(inputs.stop);
    broker.stack.simulator.injectFault({ operation: 'CreateApp', kind, count: 3 });

    await step(requestId);
    const retrying = await readRequest(broker, requestId);
    const activeWhileRetrying = (await usage(domainId)).active;
    await step(requestId);

    expect(retrying.state).toBe('RETRYING');
    expect(retrying.failure).toBeUndefined();
    expect(retrying.lastError?.errorName).toBe(errorName);
    expect(activeWhileRetrying).toBe(1);
    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(createAppCalls(domainId, appName)).toBe(4);
    expect(inputs.inputs).toHaveLength(2);
    expect(inputs.inputs[1]).toEqual(inputs.inputs[0]);
  });

  it('fails 5xx only at the attempt limit', async () => {
    const requestId = await submit(broker, kernel('d-fivexx', 'always-500'));
    broker.stack.simulator.injectFault({ operation: 'CreateApp', kind: 'internal', count: 9 });
    const deps = withConfig({ maxAttempts: 3 });

    const states: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await step(requestId, deps);
      states.push((await readRequest(broker, requestId)).state);
    }

    expect(states).toEqual(['RETRYING', 'RETRYING', 'FAILED']);
    const failed = await readRequest(broker, requestId);
    expect(failed.failure?.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(failed.failure?.errorName).toBe('InternalFailure');
    expect((await usage('d-fivexx')).active).toBe(0);
  });

  it('fails a ValidationException with its message', async () => {
    const requestId = await submit(broker, kernel('d-invalid', 'invalid'));
    const sageMakerMessage = "1 validation error detected: Value 'x' at 'resourceSpec.sageMakerImageArn' failed to satisfy constraint";
    failCreateAppWith(() => new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', message: sageMakerMessage, $metadata: { httpStatusCode: 400 } }));

    await step(requestId);

    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('SAGEMAKER_REJECTED');
    expect(failed.failure?.errorName).toBe('ValidationException');
    expect(failed.failure?.message).toBe(sageMakerMessage);
    expect((await usage('d-invalid')).active).toBe(0);
  });

  it('fails an unknown error after five attempts', async () => {
    const requestId = await submit(broker, kernel('d-unknown', 'unknown'));
    let calls = 0;
    failCreateAppWith(() => {
      calls += 1;
      return new Error('socket hang up in a proxy');
    });

    const states: string[] = [];
    for (let attempt = 1; attempt <= 6 && states.at(-1) !== 'FAILED'; attempt += 1) {
      await step(requestId);
      states.push((await readRequest(broker, requestId)).state);
    }

    expect(states).toEqual(['RETRYING', 'RETRYING', 'RETRYING', 'RETRYING', 'FAILED']);
    expect(calls).toBe(5);
    const failed = await readRequest(broker, requestId);
    expect(failed.failure?.reason).toBe('ATTEMPTS_EXHAUSTED');
    expect(failed.failure?.message).toContain('socket hang up in a proxy');
    expect((await usage('d-unknown')).active).toBe(0);
  });

  it('adopts its app when the last attempt failed after creating it', async () => {
    const requestId = await submit(broker, kernel('d-lastcreated', 'created-then-lost'));
    removers.push(
      interceptCommand(broker.workerDeps.sageMaker, 'CreateAppCommand', async (_input, call) => {
        await call();
        throw new Error('reply lost after the create');
      }),
    );

    await step(requestId, withConfig({ maxAttempts: 1 }));

    const created = await readRequest(broker, requestId);
    expect(created.state).toBe('CREATED');
    expect(appsByRequestId(broker).get(requestId)).toBe(1);
    expect((await usage('d-lastcreated')).active).toBe(1);
  });
});
