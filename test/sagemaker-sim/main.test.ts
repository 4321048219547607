import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateAppCommand, DescribeAppCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterEach, describe, expect, it } from 'vitest';

import { caught, kernelGatewayRequest } from './helpers';

const TSX_PATH = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const MAIN_PATH = fileURLToPath(new URL('../../infra/sagemaker-sim/main.ts', import.meta.url));

let child: ChildProcess | undefined;
let configDirectory: string | undefined;

afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
  if (configDirectory !== undefined) {
    rmSync(configDirectory, { recursive: true });
    configDirectory = undefined;
  }
});

/** Starts main.ts with `env` and resolves with the URL it prints. */
async function startMain(env: Record<string, string>): Promise<string> {
  const started = spawn(TSX_PATH, [MAIN_PATH], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = started;

  let output = '';
  return new Promise((resolve, reject) => {
    started.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] !== undefined) {
        resolve(match[1]);
      }
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    started.on('exit', (code) => reject(new Error(`main.ts exited with code ${code} before listening. Output: ${output}`)));
  });
}

function clientFor(url: string): SageMakerClient {
  return new SageMakerClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
}

describe('standalone main.ts', () => {
  it('applies limits and startup delay from the environment', async () => {
    const url = await startMain({
      SAGEMAKER_SIM_PORT: '0',
      SAGEMAKER_SIM_LIMITS: '{"KernelGateway/ml.g5.xlarge":1}',
      SAGEMAKER_SIM_STARTUP_DELAY_MS: '600000',
    });
    const client = clientFor(url);

    await client.send(new CreateAppCommand(kernelGatewayRequest('gpu-1', 'ml.g5.xlarge')));
    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('gpu-2', 'ml.g5.xlarge'))));
    const described = await client.send(new DescribeAppCommand({ DomainId: 'd-test000001', UserProfileName: 'alice', AppType: 'KernelGateway', AppName: 'gpu-1' }));

    expect(error.name).toBe('ResourceLimitExceeded');
    expect(error.message).toContain("'Studio KernelGateway Apps running on ml.g5.xlarge instance' is 1 Apps, with current utilization of 1 Apps");
    expect(described.Status).toBe('Pending');
    client.destroy();
  });

  it('reads a config file', async () => {
    configDirectory = mkdtempSync(join(tmpdir(), 'sagemaker-sim-'));
    const configPath = join(configDirectory, 'config.json');
    writeFileSync(configPath, JSON.stringify({ port: 0, defaultLimit: 0, region: 'eu-west-1', startupDelayMs: 0 }));
    const url = await startMain({ SAGEMAKER_SIM_CONFIG: configPath });
    const client = clientFor(url);

    const error = await caught(() => client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.m5.large'))));

    expect(error.message).toContain("'Studio KernelGateway Apps running on ml.m5.large instance' is 0 Apps");
    const controlResponse = await fetch(`${url}/_sim/limits`, {
      method: 'POST',
      body: JSON.stringify({ appType: 'KernelGateway', instanceType: 'ml.m5.large', limit: 1 }),
    });
    expect(controlResponse.status).toBe(200);
    const output = await client.send(new CreateAppCommand(kernelGatewayRequest('k1', 'ml.m5.large')));
    expect(output.AppArn).toBe('arn:aws:sagemaker:eu-west-1:111122223333:app/d-test000001/alice/kernelgateway/k1');
    client.destroy();
  });

  it('fails fast on an invalid variable', async () => {
    const started = startMain({ SAGEMAKER_SIM_PORT: '0', SAGEMAKER_SIM_LIMITS: '[1]' });

    await expect(started).rejects.toThrow(
      'Invalid SAGEMAKER_SIM_LIMITS: expected a JSON object of numbers such as {"KernelGateway/ml.g5.xlarge":1}.',
    );
  });
});
