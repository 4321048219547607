import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { START_EPOCH_MS, createClock } from './helpers';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const clock = createClock();
let simulator: SageMakerSimulator;

const createAppBody = {
  DomainId: 'd-test000001',
  UserProfileName: 'alice',
  AppType: 'KernelGateway',
  AppName: 'k1',
  ResourceSpec: { InstanceType: 'ml.t3.medium' },
};
const identity = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'k1' };

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now, startupDelayMs: 0 });
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

async function callTarget(target: string | undefined, body: string, path = '/'): Promise<{ response: Response; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-amz-json-1.1' };
  if (target !== undefined) {
    headers['X-Amz-Target'] = target;
  }
  const response = await fetch(`${simulator.url}${path}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { response, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${simulator.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('awsJson1_1 replies', () => {
  it('sends the headers and epoch-second timestamps', async () => {
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const { response, json } = await callTarget('SageMaker.DescribeApp', JSON.stringify(identity));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toMatch(UUID_PATTERN);
    expect(json.CreationTime).toBe(START_EPOCH_MS / 1000);
    expect(json).not.toHaveProperty('__type');
  });

  it('returns DeleteApp with an empty object', async () => {
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const { response, json } = await callTarget('SageMaker.DeleteApp', JSON.stringify(identity));

    expect(response.status).toBe(200);
    expect(json).toEqual({});
  });

  it('sends modeled errors with Message', async () => {
    const { response, json } = await callTarget('SageMaker.DescribeApp', JSON.stringify(identity));

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toMatch(UUID_PATTERN);
    expect(json).toEqual({
      __type: 'ResourceNotFound',
      Message: 'App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] does not exist.',
    });
  });

  it('sends ValidationException with message', async () => {
    const { response, json } = await callTarget('SageMaker.DescribeApp', '{}');

    expect(response.status).toBe(400);
    expect(json.__type).toBe('ValidationException');
    expect(json.message).toMatch(/^3 validation errors detected: Value null at 'domainId' failed to satisfy constraint: Member must not be null; /);
  });

  it.each([
    ['SageMaker.CreateDomain', 'Unknown operation SageMaker.CreateDomain.'],
    [undefined, 'Unknown operation (no X-Amz-Target header).'],
  ])('rejects target %s', async (target, messageStart) => {
    const { response, json } = await callTarget(target, '{}');

    expect(response.status).toBe(400);
    expect(json.__type).toBe('UnknownOperationException');
    expect(String(json.message).startsWith(messageStart)).toBe(true);
    expect(simulator.callCounts()).toEqual({});
  });

  it('rejects a body that is not JSON', async () => {
    const { response, json } = await callTarget('SageMaker.ListApps', '{not json');

    expect(response.status).toBe(400);
    expect(json).toEqual({ __type: 'SerializationException', message: 'The request body is not valid JSON.' });
  });

  it('serves any path outside /_sim/', async () => {
    const { response, json } = await callTarget('SageMaker.ListApps', '{}', '/sim/');

    expect(response.status).toBe(200);
    expect(json).toEqual({ Apps: [] });
  });

  it('sends Retry-After with a throttle fault', async () => {
    simulator.injectFault({ operation: 'ListApps', kind: 'throttle', count: 1, retryAfterSeconds: 2 });

    const { response, json } = await callTarget('SageMaker.ListApps', '{}');

    expect(response.status).toBe(400);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(json).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('sends 500 InternalFailure with an internal fault', async () => {
    simulator.injectFault({ operation: 'ListApps', kind: 'internal', count: 1 });

    const { response, json } = await callTarget('SageMaker.ListApps', '{}');

    expect(response.status).toBe(500);
    expect(json.__type).toBe('InternalFailure');
  });
});

describe('control API', () => {
  it('lists apps', async () => {
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const { status, json } = await control('GET', '/_sim/apps');

    expect(status).toBe(200);
    expect(json.apps).toMatchObject([{ ...identity, Status: 'InService', createdAtEpochMs: clock.now() }]);
  });

  it('deletes an app', async () => {
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const { status } = await control('POST', '/_sim/apps/delete', identity);

    expect(status).toBe(200);
    expect(simulator.listAppRecords()[0]?.Status).toBe('Deleting');
  });

  it('reports a failed delete with its code', async () => {
    const { status, json } = await control('POST', '/_sim/apps/delete', identity);

    expect(status).toBe(400);
    expect(json).toEqual({
      code: 'ResourceNotFound',
      message: 'App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] does not exist.',
    });
  });

  it('sets a limit', async () => {
    const { status } = await control('POST', '/_sim/limits', { appType: 'KernelGateway', instanceType: 'ml.t3.medium', limit: 0 });

    const { json } = await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    expect(status).toBe(200);
    expect(json.__type).toBe('ResourceLimitExceeded');
    expect(json.Message).toContain("'Studio KernelGateway Apps running on ml.t3.medium instance' is 0 Apps");
    await control('POST', '/_sim/limits', { appType: 'KernelGateway', instanceType: 'ml.t3.medium', limit: 10 });
  });

  it('queues and clears faults', async () => {
    const added = await control('POST', '/_sim/faults', { operation: 'ListApps', kind: 'internal', count: 2 });
    const faulted = await callTarget('SageMaker.ListApps', '{}');
    const cleared = await control('DELETE', '/_sim/faults');
    const normal = await callTarget('SageMaker.ListApps', '{}');

    expect(added.status).toBe(200);
    expect(faulted.response.status).toBe(500);
    expect(cleared.status).toBe(200);
    expect(normal.response.status).toBe(200);
  });

  it('rejects an invalid fault', async () => {
    const { status, json } = await control('POST', '/_sim/faults', { operation: 'ListApps', kind: 'internal', count: -1 });

    expect(status).toBe(400);
    expect(json).toEqual({ message: 'Invalid fault count -1: expected an integer of 1 or more.' });
  });

  it('returns events and call counts', async () => {
    const entries = [{ Source: 's', DetailType: 't', Detail: '{"a":1}' }];
    await callTarget('AWSEvents.PutEvents', JSON.stringify({ Entries: entries }));
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const events = await control('GET', '/_sim/events');
    const calls = await control('GET', '/_sim/calls');

    expect(events.json.events).toMatchObject([{ Source: 's', DetailType: 't', Detail: '{"a":1}', EventBusName: 'default' }]);
    expect(calls.json).toEqual({
      calls: { PutEvents: 1, CreateApp: 1 },
      createAppCallsByIdentity: { 'd-test000001/alice/KernelGateway/k1': 1 },
    });
  });

  it('resets the simulator', async () => {
    await callTarget('SageMaker.CreateApp', JSON.stringify(createAppBody));

    const { status } = await control('POST', '/_sim/reset');

    expect(status).toBe(200);
    expect(simulator.listAppRecords()).toEqual([]);
    expect(simulator.callCounts()).toEqual({});
  });

  it('returns 404 for an unknown route', async () => {
    const { status, json } = await control('GET', '/_sim/nothing');

    expect(status).toBe(404);
    expect(json.message).toBe('No control route GET /_sim/nothing. See infra/sagemaker-sim/README.md for the routes.');
  });
});
