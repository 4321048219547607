import type { WorkMessage } from '../queue/messages';
import type { BrokerRequest } from './model';

/** Builds the work message for a stored request's current step, as the worker would send it. */
export function workMessageOf(request: BrokerRequest): WorkMessage {
  return {
    requestId: request.requestId,
    messageToken: request.messageToken,
    attempt: request.attempt,
    waits: 0,
    createdAtEpochMs: request.createdAtEpochMs,
    deadlineEpochMs: request.deadlineEpochMs,
    input: request.input,
  };
}
