import { getRequest } from '../requests/store';
import { workMessageOf } from '../requests/message-of';
import { workMessageSchema } from '../queue/messages';
import { findAppOwnership } from '../sagemaker/apps';
import { logger } from '../shared/observability';
import type { WorkerDeps } from '../worker/deps';
import { recordCreated, recordFailed } from '../worker/outcome';

/** Result of handling one dead-letter message. */
export type DeadLetterOutcome = 'failed' | 'adopted' | 'ignored';

/**
 * Makes a message that SQS moved to the dead-letter queue visible on its request: a request
 * still waiting for that message ends FAILED with reason DLQ; an ADMITTED one first checks
 * whether its app exists (then CREATED). Stale messages and final requests are ignored.
 */
export async function processDeadLetter(deps: WorkerDeps, body: string, receiveCount: number): Promise<DeadLetterOutcome> {
  const parsed = workMessageSchema.safeParse(safeJson(body));
  if (!parsed.success) {
    logger.error('Dead-letter message is not a work message; dropped', { body: body.slice(0, 500) });
    return 'ignored';
  }

  const request = await getRequest(deps.dynamo, deps.config.requestsTableName, parsed.data.requestId);
  const isCurrent = request !== undefined && request.messageToken === parsed.data.messageToken;
  if (!isCurrent || request.state === 'CREATED' || request.state === 'READY' || request.state === 'FAILED' || request.state === 'CANCELLED') {
    logger.info('Dead-letter message needs no action', { requestId: parsed.data.requestId, state: request?.state });
    return 'ignored';
  }

  const message = workMessageOf(request);
  const failure = {
    reason: 'DLQ' as const,
    message: `The request's message reached the dead-letter queue after ${receiveCount} receives without being processed${request.lastError ? `; last error: ${request.lastError.errorName}: ${request.lastError.message}` : ''}`,
  };
  if (request.state !== 'ADMITTED') {
    await recordFailed(deps, message, undefined, failure);
    return 'failed';
  }

  const held = { leaseId: request.leaseId ?? '', attempt: request.attempt };
  const ownership = await findAppOwnership(deps.sageMaker, request.input, request.requestId).catch(() => undefined);
  if (ownership?.owner === 'this-request') {
    await recordCreated(deps, message, held, ownership.appArn, true);
    return 'adopted';
  }
  await recordFailed(deps, message, held, failure);
  return 'failed';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
