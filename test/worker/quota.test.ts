import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { releaseSlotItems, reserveSlotItems, type SlotSubject } from '../../functions/quota/reservation';
import { transactWrite } from '../../functions/shared/transactions';
import type { WorkerDeps } from '../../functions/worker/deps';
import { processWorkMessage } from '../../functions/worker/process-message';
import { startTestBroker, type TestBroker } from '../support/broker';
import { readUsage, setDomainMaxActiveApps } from '../support/quota';
import { currentMessage, deliverOnce, kernel, purgeWorkQueue, readRequest, submit } from './helpers';

describe('quota slots in DynamoDB Local', () => {
  let broker: TestBroker;
  const table = () => broker.stack.config.quotasTableName;
  const usage = (domainId: string) => readUsage(broker.workerDeps.dynamo, table(), domainId);
  const setPolicy = (domainId: string, max: number, extra: Record<string, number> = {}) => setDomainMaxActiveApps(broker.workerDeps.dynamo, table(), domainId, max, extra);
  const subject = (domainId: string, instanceType = 'ml.t3.medium', appType = 'KernelGateway', requestId = randomUUID()): SlotSubject => ({ requestId, domainId, appType, instanceType });
  const reserve = (slot: SlotSubject, defaultMax = 10) => transactWrite(broker.workerDeps.dynamo, reserveSlotItems(table(), slot, defaultMax, Date.now()));
  const release = (slot: SlotSubject) => transactWrite(broker.workerDeps.dynamo, releaseSlotItems(table(), slot));

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 100 } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  it('takes one slot per request id', async () => {
    await setPolicy('d-slot1', 5);
    const slot = subject('d-slot1');

    expect((await reserve(slot)).ok).toBe(true);
    const replay = await reserve(slot);

    expect(replay.ok).toBe(false);
    const slotReason = replay.ok ? undefined : replay.reasons[0]?.code;
    expect(slotReason).toBe('ConditionalCheckFailed');
    expect((await usage('d-slot1')).active).toBe(1);
  });

  it('never admits above the total under concurrency', async () => {
    await setPolicy('d-slot2', 3);

    const results = await Promise.all(Array.from({ length: 20 }, () => reserve(subject('d-slot2'))));

    expect(results.filter((result) => result.ok)).toHaveLength(3);
    expect((await usage('d-slot2')).active).toBe(3);
  });

  it('releases a slot exactly once', async () => {
    await setPolicy('d-slot3', 2);
    const slot = subject('d-slot3');
    await reserve(slot);

    const first = await release(slot);
    const replay = await release(slot);

    expect(first.ok).toBe(true);
    expect(replay.ok).toBe(false);
    const counters = await usage('d-slot3');
    expect(counters.active).toBe(0);
    expect(counters['active#instanceType#ml.t3.medium']).toBe(0);
    expect(counters['active#appType#KernelGateway']).toBe(0);
  });

  it('applies a limit per instance type', async () => {
    await setPolicy('d-slot4', 5, { 'max#instanceType#ml.g5.xlarge': 1 });

    const firstGpu = await reserve(subject('d-slot4', 'ml.g5.xlarge'));
    const secondGpu = await reserve(subject('d-slot4', 'ml.g5.xlarge'));
    const cpu = await reserve(subject('d-slot4', 'ml.t3.medium'));

    expect(firstGpu.ok).toBe(true);
    expect(secondGpu.ok).toBe(false);
    expect(cpu.ok).toBe(true);
    expect((await usage('d-slot4'))['active#instanceType#ml.g5.xlarge']).toBe(1);
  });

  it('applies a limit per app type', async () => {
    await setPolicy('d-slot5', 5, { 'max#appType#JupyterLab': 1 });

    const firstLab = await reserve(subject('d-slot5', 'ml.t3.medium', 'JupyterLab'));
    const secondLab = await reserve(subject('d-slot5', 'ml.t3.medium', 'JupyterLab'));
    const kernelGateway = await reserve(subject('d-slot5', 'ml.t3.medium', 'KernelGateway'));

    expect(firstLab.ok).toBe(true);
    expect(secondLab.ok).toBe(false);
    expect(kernelGateway.ok).toBe(true);
  });

  it('applies the default to a domain without a policy', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => reserve(subject('d-slot6'), 2)));

    expect(results.filter((result) => result.ok)).toHaveLength(2);
    expect((await usage('d-slot6')).maxActiveApps).toBeUndefined();
  });

  it('rejects all slots when the default is zero', async () => {
    expect((await reserve(subject('d-slot7'), 0)).ok).toBe(false);
    expect((await usage('d-slot7')).active).toBeUndefined();
  });
});

describe('quota policies in the worker', () => {
  let broker: TestBroker;
  const table = () => broker.stack.config.quotasTableName;

  beforeAll(async () => {
    broker = await startTestBroker({ simulator: { startupDelayMs: 100 }, env: { RETRY_BASE_SECONDS: '1', RETRY_CAP_SECONDS: '2' } });
  });

  afterAll(async () => {
    await broker?.stop();
  });

  beforeEach(async () => {
    await purgeWorkQueue(broker);
  });

  it('counts KernelGateway system as ml.t3.medium', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, table(), 'd-policy1', 5, { 'max#instanceType#ml.t3.medium': 1 });
    const systemId = await submit(broker, kernel('d-policy1', 'on-system', 'system'));
    await deliverOnce(broker);
    const mediumId = await submit(broker, kernel('d-policy1', 'on-medium', 'ml.t3.medium'));
    await deliverOnce(broker);

    expect((await readRequest(broker, systemId)).state).toBe('CREATED');
    const waiting = await readRequest(broker, mediumId);
    expect(waiting.state).toBe('WAITING');
    expect(waiting.lastError?.errorName).toBe('DomainQuotaFull');
    const usage = await readUsage(broker.workerDeps.dynamo, table(), 'd-policy1');
    expect(usage['active#instanceType#ml.t3.medium']).toBe(1);
    expect(usage['active#instanceType#system']).toBeUndefined();
  });

  it('waits at the limit of an app type', async () => {
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, table(), 'd-policy2', 5, { 'max#appType#KernelGateway': 1 });
    const firstId = await submit(broker, kernel('d-policy2', 'first'));
    const secondId = await submit(broker, kernel('d-policy2', 'second'));
    await deliverOnce(broker);

    const states = [(await readRequest(broker, firstId)).state, (await readRequest(broker, secondId)).state].sort();
    expect(states).toEqual(['CREATED', 'WAITING']);
  });

  it('fails NO_QUOTA_POLICY when the default is reject', async () => {
    const rejectingDeps: WorkerDeps = { ...broker.workerDeps, config: { ...broker.workerDeps.config, defaultDomainMaxActiveApps: 'reject' } };
    const requestId = await submit(broker, kernel('d-nopolicy', 'no-policy'));

    await processWorkMessage(rejectingDeps, await currentMessage(broker, requestId));

    const failed = await readRequest(broker, requestId);
    expect(failed.state).toBe('FAILED');
    expect(failed.failure?.reason).toBe('NO_QUOTA_POLICY');
    expect(failed.failure?.message).toContain('Domain d-nopolicy has no quota policy');
    expect(failed.failure?.message).toContain('PUT /domains/d-nopolicy/quota');
    expect(broker.stack.simulator.createAppCallsByIdentity?.()['d-nopolicy/alice/KernelGateway/no-policy']).toBeUndefined();
  });

  it('admits a domain with a policy when the default is reject', async () => {
    const rejectingDeps: WorkerDeps = { ...broker.workerDeps, config: { ...broker.workerDeps.config, defaultDomainMaxActiveApps: 'reject' } };
    await setDomainMaxActiveApps(broker.workerDeps.dynamo, table(), 'd-withpolicy', 1);
    const requestId = await submit(broker, kernel('d-withpolicy', 'with-policy'));

    await processWorkMessage(rejectingDeps, await currentMessage(broker, requestId));

    expect((await readRequest(broker, requestId)).state).toBe('CREATED');
  });

  it('applies a numeric default to a domain without a policy', async () => {
    const defaultTwoDeps: WorkerDeps = { ...broker.workerDeps, config: { ...broker.workerDeps.config, defaultDomainMaxActiveApps: 2 } };
    const ids = [await submit(broker, kernel('d-default', 'a')), await submit(broker, kernel('d-default', 'b')), await submit(broker, kernel('d-default', 'c'))];

    for (const requestId of ids) await processWorkMessage(defaultTwoDeps, await currentMessage(broker, requestId));

    const states = await Promise.all(ids.map(async (requestId) => (await readRequest(broker, requestId)).state));
    expect(states).toEqual(['CREATED', 'CREATED', 'WAITING']);
  });
});
