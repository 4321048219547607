/**
 * Shared setup for the simulator tests: a controllable clock, SDK clients pointed at the simulator,
 * and the CreateApp request fixtures kept beside the repository.
 */
import { readFileSync, readdirSync } from 'node:fs';

import { SageMakerClient, type AppInstanceType, type CreateAppCommandInput } from '@aws-sdk/client-sagemaker';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

import type { SageMakerSimulator } from '../../infra/sagemaker-sim';

export const START_EPOCH_MS = 1_700_000_000_000;

const REQUEST_FIXTURES_URL = new URL('../../../shared/fixtures/requests/', import.meta.url);
const INVALID_REQUEST_FIXTURES_URL = new URL('invalid/', REQUEST_FIXTURES_URL);

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

export function createClock(startEpochMs = START_EPOCH_MS): TestClock {
  let currentEpochMs = startEpochMs;
  return {
    now: () => currentEpochMs,
    advance: (ms) => {
      currentEpochMs += ms;
    },
  };
}

/**
 * Returns a SageMaker client for the simulator. `maxAttempts` defaults to 1 so errors return at once;
 * `sdk-default` keeps the SDK's own retry settings.
 */
export function sageMakerClient(simulator: SageMakerSimulator, maxAttempts: number | 'sdk-default' = 1): SageMakerClient {
  return new SageMakerClient({
    region: 'us-east-1',
    endpoint: simulator.url,
    credentials: LOCAL_CREDENTIALS,
    ...(maxAttempts !== 'sdk-default' && { maxAttempts }),
  });
}

export function eventBridgeClient(simulator: SageMakerSimulator): EventBridgeClient {
  return new EventBridgeClient({ region: 'us-east-1', endpoint: simulator.url, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

function readJsonFixtures(directory: URL): Array<{ name: string; input: CreateAppCommandInput }> {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, input: JSON.parse(readFileSync(new URL(name, directory), 'utf8')) as CreateAppCommandInput }));
}

export function validRequestFixtures(): Array<{ name: string; input: CreateAppCommandInput }> {
  return readJsonFixtures(REQUEST_FIXTURES_URL);
}

export function invalidRequestFixtures(): Array<{ name: string; input: CreateAppCommandInput }> {
  return readJsonFixtures(INVALID_REQUEST_FIXTURES_URL);
}

/** Runs `action` and returns what it threw; fails the test when it does not throw. */
export async function caught(action: () => Promise<unknown>): Promise<Error & { $fault?: string; $metadata?: { attempts?: number; httpStatusCode?: number } }> {
  try {
    await action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected the call to throw, but it succeeded.');
}

/** Builds a KernelGateway CreateApp request for user profile `alice`; `overrides` replaces members. */
export function kernelGatewayRequest(appName: string, instanceType = 'ml.t3.medium', overrides: Partial<CreateAppCommandInput> = {}): CreateAppCommandInput {
  return {
    DomainId: 'd-test000001',
    UserProfileName: 'alice',
    AppType: 'KernelGateway',
    AppName: appName,
    ResourceSpec: { InstanceType: instanceType as AppInstanceType },
    ...overrides,
  };
}
