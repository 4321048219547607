import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BrokerConfig } from '../shared/config';
import { logger, metrics } from '../shared/observability';
import { callerOf, DIRECT_INVOCATION_CALLER_ARN } from './access';
import { directInvocationSchema, type DirectInvocation } from './contract';
import { ApiError } from './errors';
import { fieldErrorsOf } from './field-errors';
import type { SubmitOperations } from './runtime';
import { assertWithinSizeLimit } from './submit-request';

/**
 * Result of a direct invocation or an EventBridge event: the status code and body that HTTP would
 * return, the body as an object rather than a JSON string.
 */
export interface InvocationResult {
  statusCode: number;
  body: unknown;
}

/**
 * Runs `operation` and returns its result; an ApiError becomes a result with the error body.
 * Any other error is thrown, so that Lambda retries an asynchronous invocation.
 */
export async function toInvocationResult(operation: () => Promise<InvocationResult>): Promise<InvocationResult> {
  try {
    return await operation();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;

    logger.warn('Invocation rejected', { statusCode: error.statusCode, code: error.code, errorMessage: error.message });
    metrics.addMetric('InvocationsRejected', MetricUnit.Count, 1);
    return { statusCode: error.statusCode, body: error.toBody() };
  }
}

function parseInvocation(payload: Record<string, unknown>, config: BrokerConfig): DirectInvocation {
  // An EventBridge Scheduler target sends { request, idempotencyKey } without an action.
  const withAction = 'action' in payload ? payload : { action: 'submit', ...payload };
  if (withAction.action === 'submit' && withAction.request !== undefined) {
    // The request alone counts against the limit, as the body of POST /apps does.
    assertWithinSizeLimit(config, Buffer.byteLength(JSON.stringify(withAction.request)));
  }

  const parsed = directInvocationSchema.safeParse(withAction);
  if (!parsed.success) {
    const details = fieldErrorsOf(parsed.error, withAction, 'direct invocation');
    throw new ApiError(400, 'ValidationFailed', `The direct invocation is invalid: ${details.length} rule(s) failed`, details);
  }
  return parsed.data;
}

/**
 * Runs a direct invocation by another service. The function trusts `callerArn`, because only
 * principals with lambda:InvokeFunction on it can send one; without it the caller is
 * `direct-invocation`, an ordinary (not admin) caller.
 */
export async function runInvocation(operations: SubmitOperations, payload: Record<string, unknown>, context?: Context): Promise<InvocationResult> {
  return toInvocationResult(async () => {
    const invocation = parseInvocation(payload, operations.deps.config);
    const caller = callerOf(invocation.callerArn ?? DIRECT_INVOCATION_CALLER_ARN, operations.deps.config.adminPrincipalArns);

    switch (invocation.action) {
      case 'submit': {
        const { view } = await operations.submit(caller, invocation.request, invocation.idempotencyKey, context);
        return { statusCode: 202, body: view };
      }
      case 'get':
        return { statusCode: 200, body: await operations.get(caller, invocation.requestId) };
      case 'cancel':
        return { statusCode: 200, body: await operations.cancel(caller, invocation.requestId) };
      case 'list': {
        const { action: _action, callerArn: _callerArn, ...query } = invocation;
        return { statusCode: 200, body: await operations.list(caller, query) };
      }
    }
  });
}

/** Submits a bare CreateApp input, as a Scheduler or rule target with constant input sends it; no idempotency. */
export async function runBareRequest(operations: SubmitOperations, input: Record<string, unknown>, context?: Context): Promise<InvocationResult> {
  return toInvocationResult(async () => {
    const caller = callerOf(DIRECT_INVOCATION_CALLER_ARN, operations.deps.config.adminPrincipalArns);
    const { view } = await operations.submit(caller, input, undefined, context);
    return { statusCode: 202, body: view };
  });
}
