import { CreateAppCommand, DeleteAppCommand, DescribeAppCommand, ListAppsCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, kernelGatewayRequest, sageMakerClient } from './helpers';

const STARTUP_DELAY_MS = 2000;
const DELETE_DELAY_MS = 1000;
const RETENTION_MS = 60_000;

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof sageMakerClient>;

const identity = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway' as const, AppName: 'k1' };

beforeAll(async () => {
  simulator = await startSageMakerSimulator({
    now: clock.now,
    region: 'eu-west-1',
    accountId: '444455556666',
    startupDelayMs: STARTUP_DELAY_MS,
    deleteDelayMs: DELETE_DELAY_MS,
    retentionMs: RETENTION_MS,
    failStartup: (app) => (app.AppName === 'broken' ? 'The image failed to start: exec format error.' : undefined),
  });
  client = sageMakerClient(simulator);
});

afterAll(async () => {
  client.destroy();
  await simulator.close();
});

beforeEach(() => {
  simulator.reset();
});

async function describeStatus(): Promise<string | undefined> {
  return (await client.send(new DescribeAppCommand(identity))).Status;
}

describe('app lifecycle', () => {
  it('moves Pending, InService, Deleting, Deleted', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    const statuses = [await describeStatus()];
    clock.advance(STARTUP_DELAY_MS - 1);
    statuses.push(await describeStatus());
    clock.advance(1);
    statuses.push(await describeStatus());

    await client.send(new DeleteAppCommand(identity));
    statuses.push(await describeStatus());
    clock.advance(DELETE_DELAY_MS);
    statuses.push(await describeStatus());

    expect(statuses).toEqual(['Pending', 'Pending', 'InService', 'Deleting', 'Deleted']);
  });

  it('describes every output member', async () => {
    const createdAtEpochMs = clock.now();
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.t3.medium', { RecoveryMode: true })));
    clock.advance(STARTUP_DELAY_MS);

    const output = await client.send(new DescribeAppCommand(identity));

    expect(output.AppArn).toBe('arn:aws:sagemaker:eu-west-1:444455556666:app/d-test000001/alice/kernelgateway/k1');
    expect(output).toMatchObject({
      AppType: 'KernelGateway',
      AppName: 'k1',
      DomainId: 'd-test000001',
      UserProfileName: 'alice',
      Status: 'InService',
      RecoveryMode: true,
      EffectiveTrustedIdentityPropagationStatus: 'DISABLED',
      ResourceSpec: { InstanceType: 'ml.t3.medium' },
    });
    expect(output.SpaceName).toBeUndefined();
    expect(output.FailureReason).toBeUndefined();
    expect(output.CreationTime).toBeInstanceOf(Date);
    expect(output.CreationTime?.getTime()).toBe(createdAtEpochMs);
    expect(output.LastHealthCheckTimestamp?.getTime()).toBe(createdAtEpochMs + STARTUP_DELAY_MS);
  });

  it('goes Pending to Failed with a FailureReason', async () => {
    const broken = { ...identity, AppName: 'broken' };
    await client.send(new CreateAppCommand(kernelGatewayRequest('broken')));
    clock.advance(STARTUP_DELAY_MS);

    const output = await client.send(new DescribeAppCommand(broken));

    expect(output.Status).toBe('Failed');
    expect(output.FailureReason).toBe('The image failed to start: exec format error.');
  });

  it('records epoch-millisecond times', async () => {
    const createdAtEpochMs = clock.now();
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(STARTUP_DELAY_MS);
    simulator.deleteApp(identity);
    clock.advance(DELETE_DELAY_MS);

    const [record] = simulator.listAppRecords();

    expect(record).toMatchObject({
      Status: 'Deleted',
      createdAtEpochMs,
      startupEndsAtEpochMs: createdAtEpochMs + STARTUP_DELAY_MS,
      deleteRequestedAtEpochMs: createdAtEpochMs + STARTUP_DELAY_MS,
      endedAtEpochMs: createdAtEpochMs + STARTUP_DELAY_MS + DELETE_DELAY_MS,
    });
  });
});

describe('DeleteApp', () => {
  it('returns ResourceInUse while Pending', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));

    const error = await caught(() => client.send(new DeleteAppCommand(identity)));

    expect(error.name).toBe('ResourceInUse');
    expect(error.message).toBe('App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] is in status [Pending] and cannot be deleted until it is InService.');
  });

  it('returns ValidationException when already Deleted', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(STARTUP_DELAY_MS);
    await client.send(new DeleteAppCommand(identity));
    clock.advance(DELETE_DELAY_MS);

    const error = await caught(() => client.send(new DeleteAppCommand(identity)));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('has already been deleted');
  });

  it('returns ValidationException when Failed', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('broken')));
    clock.advance(STARTUP_DELAY_MS);

    const error = await caught(() => client.send(new DeleteAppCommand({ ...identity, AppName: 'broken' })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('previously failed and was automatically deleted');
  });

  it('returns ResourceNotFound for an unknown app', async () => {
    const error = await caught(() => client.send(new DeleteAppCommand(identity)));

    expect(error.name).toBe('ResourceNotFound');
    expect(error.message).toBe('App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] does not exist.');
  });

  it('validates the identity members', async () => {
    const error = await caught(() => client.send(new DeleteAppCommand({ ...identity, SpaceName: 'space-1' })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('Exactly one of UserProfileName or SpaceName must be set, but both were given.');
  });
});

describe('record retention', () => {
  it('purges a Deleted app after the retention time', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('k1')));
    clock.advance(STARTUP_DELAY_MS);
    simulator.deleteApp(identity);
    clock.advance(DELETE_DELAY_MS + RETENTION_MS - 1);
    const beforePurge = await describeStatus();
    const listedBeforePurge = (await client.send(new ListAppsCommand({}))).Apps?.length;

    clock.advance(1);
    const error = await caught(() => client.send(new DescribeAppCommand(identity)));

    expect(beforePurge).toBe('Deleted');
    expect(listedBeforePurge).toBe(1);
    expect(error.name).toBe('ResourceNotFound');
    expect((await client.send(new ListAppsCommand({}))).Apps).toEqual([]);
    expect(simulator.listAppRecords()).toEqual([]);
  });

  it('purges a Failed app after the retention time', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('broken')));
    clock.advance(STARTUP_DELAY_MS + RETENTION_MS);

    expect(simulator.listAppRecords()).toEqual([]);
  });
});

describe('simulator deleteApp', () => {
  it('throws ResourceNotFound for an unknown app', () => {
    expect(() => simulator.deleteApp(identity)).toThrow('App [k1] of type [KernelGateway] for UserProfile [alice] in domain [d-test000001] does not exist.');
  });
});
