import type { BrokerRequest, RequestState } from '../requests/model';
import { workMessageOf } from '../requests/message-of';
import { transitionItem } from '../requests/store';
import { sendWorkMessage } from '../queue/messages';
import { logger } from '../shared/observability';
import { transactWrite } from '../shared/transactions';
import type { WorkerDeps } from '../worker/deps';
import { MIN_SUCCESSOR_DELAY_SECONDS } from '../worker/outcome';
import type { RunBudget } from './budget';
import { requestsInState } from './state-pages';

const WAITING_STATES: RequestState[] = ['QUEUED', 'WAITING', 'RETRYING'];

/**
 * Gives a new message to every request that waits for a message but has not been touched long
 * after it was due, because its message was lost. The new message is sent first. The request
 * then points to it only if it has not moved meanwhile, so a message that was merely slow
 * becomes stale.
 */
export async function resendStuckRequests(deps: WorkerDeps, budget: RunBudget): Promise<number> {
  let resent = 0;
  for (const state of WAITING_STATES) {
    const cutoffEpochMs = deps.now() - deps.config.stuckAfterSeconds * 1000;
    for await (const request of requestsInState(deps, budget, state, cutoffEpochMs)) {
      const dueAtEpochMs = request.notBeforeEpochMs ?? request.updatedAtEpochMs;
      if (dueAtEpochMs < cutoffEpochMs && (await resend(deps, request))) resent += 1;
    }
  }
  return resent;
}

export async function resend(deps: WorkerDeps, request: BrokerRequest): Promise<boolean> {
  try {
    return await sendAndPoint(deps, request);
  } catch (error) {
    // The request keeps its old message or none; the next run finds it again.
    logger.warn('Failed to re-send the message of a request', { requestId: request.requestId, state: request.state, error: error as Error });
    return false;
  }
}

async function sendAndPoint(deps: WorkerDeps, request: BrokerRequest): Promise<boolean> {
  const nowEpochMs = deps.now();
  const message = { ...workMessageOf(request), messageToken: deps.newId(), notBeforeEpochMs: nowEpochMs + MIN_SUCCESSOR_DELAY_SECONDS * 1000 };
  await sendWorkMessage(deps.sqs, deps.config.workQueueUrl, message, nowEpochMs);

  const item = transitionItem(
    deps.config.requestsTableName,
    request.requestId,
    { states: [request.state], messageToken: request.messageToken, attempt: request.attempt },
    { set: { messageToken: message.messageToken, updatedAtEpochMs: nowEpochMs }, remove: ['notBeforeEpochMs'] },
  );
  const result = await transactWrite(deps.dynamo, [item], deps.random);
  if (result.ok) logger.warn('Request had no live message; a new one was sent', { requestId: request.requestId, state: request.state });
  return result.ok;
}
