import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Builds a Lambda context with the fields Powertools reads, for handlers invoked by the local runtime. */
export function localLambdaContext(functionName: string, timeoutMs = 60_000): Context {
  const startedAtEpochMs = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAtEpochMs)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
