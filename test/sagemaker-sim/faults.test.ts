import { CreateAppCommand, DescribeAppCommand, ListAppsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, kernelGatewayRequest, sageMakerClient } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;

beforeAll(async () => {
  simulator = await startSageMakerSimulator({ now: clock.now });
});

afterAll(async () => {
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

describe('throttle fault', () => {
  it('fails after the default three attempts', async () => {
    const client = sageMakerClient(simulator, 'sdk-default');
    simulator.injectFault({ operation: 'CreateApp', kind: 'throttle', count: 3 });

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1'))));

    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.$metadata?.attempts).toBe(3);
    expect(simulator.callCounts()).toEqual({ CreateApp: 3 });
    expect(simulator.listAppRecords()).toEqual([]);
    client.destroy();
  });

  it('succeeds on the retry after one throttle', async () => {
    const client = sageMakerClient(simulator, 3);
    simulator.injectFault({ operation: 'CreateApp', kind: 'throttle', count: 1 });

    const output = await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    expect(output.$metadata.attempts).toBe(2);
    expect(simulator.listAppRecords()).toHaveLength(1);
    client.destroy();
  });
});

describe('server error faults', () => {
  it.each([
    ['internal', 'InternalFailure', 500],
    ['unavailable', 'ServiceUnavailable', 503],
  ] as const)('%s is retried three times', async (kind, errorName, statusCode) => {
    const client = sageMakerClient(simulator, 3);
    simulator.injectFault({ operation: 'ListApps', kind, count: 3 });

    const error = await caught(() => client.send(new ListAppsCommand({})));

    expect(error.name).toBe(errorName);
    expect(error.$fault).toBe('server');
    expect(error.$metadata?.httpStatusCode).toBe(statusCode);
    expect(error.$metadata?.attempts).toBe(3);
    expect(simulator.callCounts()).toEqual({ ListApps: 3 });
    client.destroy();
  });

  it('applies faults in the order queued', async () => {
    const client = sageMakerClient(simulator, 3);
    simulator.injectFault({ operation: 'CreateApp', kind: 'unavailable', count: 1 });
    simulator.injectFault({ operation: 'CreateApp', kind: 'internal', count: 1 });

    const output = await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    expect(output.$metadata.attempts).toBe(3);
    expect(simulator.callCounts()).toEqual({ CreateApp: 3 });
    client.destroy();
  });

  it('matches any operation with *', async () => {
    const client = sageMakerClient(simulator, 1);
    simulator.injectFault({ operation: '*', kind: 'internal', count: 2 });

    const listError = await caught(() => client.send(new ListAppsCommand({})));
    const createError = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1'))));
    const output = await client.send(new ListAppsCommand({}));

    expect(listError.name).toBe('InternalFailure');
    expect(createError.name).toBe('InternalFailure');
    expect(output.Apps).toEqual([]);
    client.destroy();
  });

  it('stops after clearFaults', async () => {
    const client = sageMakerClient(simulator, 1);
    simulator.injectFault({ operation: 'ListApps', kind: 'internal', count: 5 });

    simulator.clearFaults();
    const output = await client.send(new ListAppsCommand({}));

    expect(output.Apps).toEqual([]);
    client.destroy();
  });
});

describe('createThenInternal fault', () => {
  it('leaves the retrying client with ResourceInUse', async () => {
    const client = sageMakerClient(simulator, 3);
    simulator.injectFault({ operation: 'CreateApp', kind: 'createThenInternal', count: 1 });

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1'))));

    expect(error.name).toBe('ResourceInUse');
    expect(error.$metadata?.attempts).toBe(2);
    expect(simulator.listAppRecords().map((app) => app.AppName)).toEqual(['k1']);
    expect(simulator.callCounts()).toEqual({ CreateApp: 2 });
    expect(simulator.createAppCallsByIdentity?.()).toEqual({ 'd-test000001/alice/KernelGateway/k1': 2 });
    client.destroy();
  });

  it('rejects another operation', () => {
    expect(() => simulator.injectFault({ operation: 'ListApps', kind: 'createThenInternal', count: 1 })).toThrow(
      "Invalid fault: kind 'createThenInternal' needs operation 'CreateApp'.",
    );
  });
});

describe('slow fault', () => {
  it('delays the reply past the client timeout', async () => {
    const client = new SageMakerClient({
      region: 'us-east-1',
      endpoint: simulator.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: { requestTimeout: 100, throwOnRequestTimeout: true },
    });
    simulator.injectFault({ operation: 'DescribeApp', kind: 'slow', count: 1, delayMs: 1500 });
    const identity = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway' as const, AppName: 'k1' };

    const timeout = await caught(() => client.send(new DescribeAppCommand(identity)));
    const notFound = await caught(() => client.send(new DescribeAppCommand(identity)));

    expect(timeout.name).toBe('TimeoutError');
    expect(notFound.name).toBe('ResourceNotFound');
    expect(simulator.callCounts()).toEqual({ DescribeApp: 2 });
    client.destroy();
  });

  it('replies normally after the delay', async () => {
    const client = sageMakerClient(simulator, 1);
    simulator.injectFault({ operation: 'CreateApp', kind: 'slow', count: 1, delayMs: 50 });

    const output = await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    expect(output.AppArn).toBe('arn:aws:sagemaker:us-east-1:111122223333:app/d-test000001/alice/kernelgateway/k1');
    client.destroy();
  });
});

describe('injectFault', () => {
  it.each([
    [{ operation: 'CreateApp', kind: 'explode', count: 1 }, 'Invalid fault kind "explode"'],
    [{ operation: 'CreateApp', kind: 'internal', count: 0 }, 'Invalid fault count 0: expected an integer of 1 or more.'],
    [{ operation: 'CreateApp', kind: 'slow', count: 1 }, 'Invalid fault delayMs undefined: expected a number of 0 or more.'],
    [{ operation: 'CreateApp', kind: 'partialFailure', count: 1 }, "Invalid fault: kind 'partialFailure' needs operation 'PutEvents'."],
  ])('rejects %o', (fault, message) => {
    expect(() => simulator.injectFault(fault as never)).toThrow(message);
  });
});
