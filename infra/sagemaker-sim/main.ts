/**
 * Runs the SageMaker simulator as a standalone process:
 *
 *   npx tsx infra/sagemaker-sim/main.ts
 *
 * Environment variables, each optional. A variable overrides the same setting in the config file.
 *   SAGEMAKER_SIM_PORT              TCP port on 127.0.0.1, default 4599 (0 picks a free port)
 *   SAGEMAKER_SIM_CONFIG            path of a JSON file with SimulatorOptions fields
 *   SAGEMAKER_SIM_LIMITS            JSON object of limits, e.g. {"KernelGateway/ml.g5.xlarge":1}
 *   SAGEMAKER_SIM_STARTUP_DELAY_MS  time an app stays Pending, in milliseconds
 */
import { readFileSync } from 'node:fs';

import { startSageMakerSimulator } from './simulator';
import type { SimulatorOptions } from './types';

const DEFAULT_PORT = 4599;

/** SimulatorOptions fields a config file may set; functions such as `now` cannot come from JSON. */
const CONFIG_FIELDS = ['port', 'region', 'accountId', 'limits', 'defaultLimit', 'startupDelayMs', 'deleteDelayMs', 'retentionMs'];

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function readConfigFile(path: string): SimulatorOptions {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`Invalid SAGEMAKER_SIM_CONFIG: failed to read JSON from ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(`Invalid SAGEMAKER_SIM_CONFIG: ${path} must contain a JSON object.`);
  }

  const unknownFields = Object.keys(parsed).filter((field) => !CONFIG_FIELDS.includes(field));
  if (unknownFields.length > 0) {
    fail(`Invalid SAGEMAKER_SIM_CONFIG: unknown fields ${unknownFields.join(', ')} in ${path}; expected some of ${CONFIG_FIELDS.join(', ')}.`);
  }
  return parsed as SimulatorOptions;
}

function readLimits(text: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail('Invalid SAGEMAKER_SIM_LIMITS: expected a JSON object such as {"KernelGateway/ml.g5.xlarge":1}.');
  }
  const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  if (!isObject || !Object.values(parsed as object).every((limit) => typeof limit === 'number')) {
    fail('Invalid SAGEMAKER_SIM_LIMITS: expected a JSON object of numbers such as {"KernelGateway/ml.g5.xlarge":1}.');
  }
  return parsed as Record<string, number>;
}

function readNonNegativeInteger(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) {
    fail(`Invalid ${name} '${text}': expected an integer of 0 or more.`);
  }
  return value;
}

function readOptions(env: NodeJS.ProcessEnv): SimulatorOptions {
  const options: SimulatorOptions = env.SAGEMAKER_SIM_CONFIG === undefined ? {} : readConfigFile(env.SAGEMAKER_SIM_CONFIG);

  options.port = options.port ?? DEFAULT_PORT;
  if (env.SAGEMAKER_SIM_PORT !== undefined) {
    options.port = readNonNegativeInteger('SAGEMAKER_SIM_PORT', env.SAGEMAKER_SIM_PORT);
  }
  if (env.SAGEMAKER_SIM_LIMITS !== undefined) {
    options.limits = { ...options.limits, ...readLimits(env.SAGEMAKER_SIM_LIMITS) };
  }
  if (env.SAGEMAKER_SIM_STARTUP_DELAY_MS !== undefined) {
    options.startupDelayMs = readNonNegativeInteger('SAGEMAKER_SIM_STARTUP_DELAY_MS', env.SAGEMAKER_SIM_STARTUP_DELAY_MS);
  }
  return options;
}

const simulator = await startSageMakerSimulator(readOptions(process.env));
console.log(`SageMaker simulator listening on ${simulator.url}`);

const stop = (signal: string): void => {
  console.log(`SageMaker simulator stopping on ${signal}`);
  simulator.close().then(
    () => process.exit(0),
    (error: unknown) => fail(`Failed to stop the SageMaker simulator: ${String(error)}`),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
