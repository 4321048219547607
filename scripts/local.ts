/**
 * Starts the broker on this machine. DynamoDB Local, the fauxqs SQS emulator and the SageMaker
 * simulator run on fixed loopback ports. serverless-offline serves the HTTP API with the same
 * handler that Lambda runs, bundled by serverless-esbuild. The worker and the dead-letter handler
 * run on local SQS event sources, and the reconciler on a timer. Ctrl-C stops everything.
 *
 *   npm start            # or ./scripts/start.sh on a fresh machine
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startSqsEventSource, type SqsEventSource } from '../infra/local/sqs-event-source';
import { startLocalStack } from '../infra/local/stack';
import { localLambdaContext } from '../infra/local/lambda-context';

function portFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0 || value > 65_535) throw new Error(`Invalid ${name}: '${process.env[name]}' is not a TCP port`);
  return value;
}

const httpPort = portFromEnv('BROKER_HTTP_PORT', 3000);
const reconcileIntervalSeconds = Number(process.env.RECONCILE_INTERVAL_SECONDS ?? 10);

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const output = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return output.Attributes?.QueueArn ?? queueUrl;
}

function startHttpApi(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['node_modules/osls/bin/serverless.js', 'offline', 'start', '--stage', 'local'], {
    env: { ...process.env, ...env, BROKER_HTTP_PORT: String(httpPort), SLS_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`serverless-offline exited with code ${code}`);
  });
  return child;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const startedAtEpochMs = Date.now();
  while (Date.now() - startedAtEpochMs < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited with code ${child.exitCode} before it served ${url}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new Error(`The HTTP API timed out: no response on ${url} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    dynamoDbPort: portFromEnv('DYNAMODB_PORT', 8000),
    sqsPort: portFromEnv('SQS_PORT', 4566),
    simulator: {
      port: portFromEnv('SAGEMAKER_SIM_PORT', 4599),
      limits: JSON.parse(process.env.SAGEMAKER_SIM_LIMITS ?? '{"KernelGateway/ml.g5.xlarge":1}'),
      startupDelayMs: Number(process.env.SAGEMAKER_SIM_STARTUP_DELAY_MS ?? 5000),
    },
    queues: { visibilityTimeoutSeconds: 180 },
    env: {
      RETRY_BASE_SECONDS: process.env.RETRY_BASE_SECONDS ?? '2',
      RETRY_CAP_SECONDS: process.env.RETRY_CAP_SECONDS ?? '30',
      // serverless-offline runs no IAM authorizer, so local HTTP requests act as this principal.
      LOCAL_CALLER_ARN: process.env.LOCAL_CALLER_ARN ?? 'arn:aws:iam::111122223333:user/local-developer',
    },
  });
  Object.assign(process.env, stack.env);

  // The handlers read their configuration from process.env when first invoked.
  const { handler: workerHandler } = await import('../functions/worker/handler');
  const { handler: deadLetterHandler } = await import('../functions/dead-letter/handler');
  const { handler: reconcilerHandler } = await import('../functions/reconciler/handler');

  const sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.queues.endpoint });
  const sources: SqsEventSource[] = [
    startSqsEventSource({ sqs, queueUrl: stack.queues.workQueueUrl, queueArn: await queueArn(sqs, stack.queues.workQueueUrl), functionName: 'worker', handler: workerHandler, batchSize: 10, concurrency: 2 }),
    startSqsEventSource({ sqs, queueUrl: stack.queues.deadLetterQueueUrl, queueArn: await queueArn(sqs, stack.queues.deadLetterQueueUrl), functionName: 'deadLetter', handler: deadLetterHandler, batchSize: 10 }),
  ];
  const reconcileTimer = setInterval(() => {
    reconcilerHandler({ source: 'local.schedule' }, localLambdaContext('reconciler', 30_000)).catch((error: unknown) => console.error('Reconciler run failed', error));
  }, reconcileIntervalSeconds * 1000);

  const httpApi = startHttpApi(stack.env);
  await waitForHttp(`http://127.0.0.1:${httpPort}/requests/none`, httpApi, 120_000);

  console.log(`
Studio App Broker is running on this machine.
  HTTP API              http://localhost:${httpPort}   (POST /apps, GET /requests/{id})
  SageMaker simulator   ${stack.simulator.url}   (control API under /_sim/, e.g. GET /_sim/apps, GET /_sim/events)
  DynamoDB Local        ${stack.dynamoDb.endpoint}
  SQS emulator          ${stack.queues.endpoint}   work queue ${stack.queues.workQueueUrl}
  Worker                2 local SQS pollers, batch size 10; reconciler every ${reconcileIntervalSeconds} s
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(reconcileTimer);
    httpApi.kill('SIGINT');
    await Promise.all(sources.map((source) => source.stop()));
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('Failed to start the local broker:', error);
  process.exit(1);
});
