import { CreateAppCommand, DescribeAppCommand } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startSageMakerSimulator, type SageMakerSimulator } from '../../infra/sagemaker-sim';
import { caught, createClock, kernelGatewayRequest, sageMakerClient } from './helpers';

const clock = createClock();
let simulator: SageMakerSimulator;
let client: ReturnType<typeof sageMakerClient>;

function limitMessage(quota: string, limit: number, current: number): string {
  return (
    `The account-level service limit '${quota}' is ${limit} Apps, with current utilization of ${current} Apps and a request delta of 1 Apps. ` +
    'Please use AWS Service Quotas to request an increase for this quota. If AWS Service Quotas is not available, contact AWS support to request an increase for this quota.'
  );
}

beforeAll(async () => {
  simulator = await startSageMakerSimulator({
    now: clock.now,
    startupDelayMs: 2000,
    deleteDelayMs: 1000,
    limits: { 'KernelGateway/ml.g5.xlarge': 2, 'KernelGateway/ml.p4d.24xlarge': 0 },
    defaultLimit: 3,
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

describe('ResourceLimitExceeded', () => {
  it('rejects the app above the limit', async () => {
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-1', 'ml.g5.xlarge')));
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-2', 'ml.g5.xlarge')));

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('gpu-3', 'ml.g5.xlarge'))));

    expect(error.name).toBe('ResourceLimitExceeded');
    expect(error.$fault).toBe('client');
    expect(error.$metadata?.attempts).toBe(1);
    expect(error.message).toBe(limitMessage('Studio KernelGateway Apps running on ml.g5.xlarge instance', 2, 2));
    expect(simulator.listAppRecords().map((app) => app.AppName)).toEqual(['gpu-1', 'gpu-2']);
  });

  it('reports a limit of 0', async () => {
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('big', 'ml.p4d.24xlarge'))));

    expect(error.message).toBe(limitMessage('Studio KernelGateway Apps running on ml.p4d.24xlarge instance', 0, 0));
  });

  it('uses the plural quota name for JupyterLab', async () => {
    simulator.setLimit('JupyterLab', 'ml.g5.xlarge', 0);
    const input = {
      DomainId: 'd-test000001',
      SpaceName: 'space-1',
      AppType: 'JupyterLab' as const,
      AppName: 'default',
      ResourceSpec: { SageMakerImageArn: 'arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-gpu', InstanceType: 'ml.g5.xlarge' as const },
    };

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.message).toBe(limitMessage('Studio JupyterLab Apps running on ml.g5.xlarge instances', 0, 0));
  });

  it('uses the plural quota name for CodeEditor', async () => {
    simulator.setLimit('CodeEditor', 'ml.m5.large', 0);
    const input = {
      DomainId: 'd-test000001',
      SpaceName: 'space-1',
      AppType: 'CodeEditor' as const,
      AppName: 'default',
      ResourceSpec: { SageMakerImageArn: 'arn:aws:sagemaker:us-east-1:885854791233:image/sagemaker-distribution-cpu', InstanceType: 'ml.m5.large' as const },
    };

    const error = await caught(() => client.send(new CreateAppCommand(input)));

    expect(error.message).toBe(limitMessage('Studio CodeEditor Apps running on ml.m5.large instances', 0, 0));
  });

  it('applies the default limit to other pairs', async () => {
    for (const name of ['c1', 'c2', 'c3']) {
      await client.send(new CreateAppCommand(kernelGatewayRequest(name, 'ml.m5.large')));
    }

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('c4', 'ml.m5.large'))));

    expect(error.message).toBe(limitMessage('Studio KernelGateway Apps running on ml.m5.large instance', 3, 3));
  });

  it('counts KernelGateway system against ml.t3.medium', async () => {
    simulator.setLimit('KernelGateway', 'ml.t3.medium', 1);
    await client.send(new CreateAppCommand(kernelGatewayRequest('sys', 'system')));

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('t3', 'ml.t3.medium'))));

    expect(error.message).toBe(limitMessage('Studio KernelGateway Apps running on ml.t3.medium instance', 1, 1));
  });

  it('counts instance types separately', async () => {
    simulator.setLimit('KernelGateway', 'ml.g5.2xlarge', 1);
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-1', 'ml.g5.xlarge')));
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-2', 'ml.g5.xlarge')));

    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-big', 'ml.g5.2xlarge')));

    expect(simulator.listAppRecords()).toHaveLength(3);
  });

  it('frees capacity once the deleted app is Deleted', async () => {
    const identity = { DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway' as const, AppName: 'gpu-1' };
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-1', 'ml.g5.xlarge')));
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-2', 'ml.g5.xlarge')));
    clock.advance(2000);
    simulator.deleteApp(identity);

    const whileDeleting = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('gpu-3', 'ml.g5.xlarge'))));
    clock.advance(1000);
    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-3', 'ml.g5.xlarge')));

    expect(whileDeleting.message).toBe(limitMessage('Studio KernelGateway Apps running on ml.g5.xlarge instance', 2, 2));
    const deleted = await client.send(new DescribeAppCommand(identity));
    expect(deleted.Status).toBe('Deleted');
    expect(simulator.listAppRecords().filter((app) => app.Status !== 'Deleted').map((app) => app.AppName)).toEqual(['gpu-2', 'gpu-3']);
  });

  it('does not count Failed apps', async () => {
    const failingSimulator = await startSageMakerSimulator({
      now: clock.now,
      limits: { 'KernelGateway/ml.g5.xlarge': 1 },
      failStartup: (app) => (app.AppName === 'broken' ? 'Image pull failed.' : undefined),
    });
    const failingClient = sageMakerClient(failingSimulator);
    try {
      await failingClient.send(new CreateAppCommand(kernelGatewayRequest('broken', 'ml.g5.xlarge')));
      clock.advance(2000);

      await failingClient.send(new CreateAppCommand(kernelGatewayRequest('working', 'ml.g5.xlarge')));

      expect(failingSimulator.listAppRecords().map((app) => [app.AppName, app.Status])).toEqual([
        ['broken', 'Failed'],
        ['working', 'Pending'],
      ]);
    } finally {
      failingClient.destroy();
      await failingSimulator.close();
    }
  });

  it('rejects an invalid limit', () => {
    expect(() => simulator.setLimit('KernelGateway', 'ml.g5.xlarge', -1)).toThrow(
      "Invalid limit -1 for 'KernelGateway/ml.g5.xlarge': expected an integer of 0 or more.",
    );
  });
});
