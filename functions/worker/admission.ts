import { noHoldItem, reserveSlotItems } from '../quota/reservation';
import { ADMISSIBLE_STATES, isFinal, type BrokerRequest } from '../requests/model';
import { transitionItem } from '../requests/store';
import { transactWrite } from '../shared/transactions';
import type { WorkMessage } from '../queue/messages';
import type { WorkerDeps } from './deps';
import { slotSubjectOf } from './subject';

/** What trying to admit a message's request found. */
export type Admission =
  | { kind: 'admitted'; leaseId: string; attempt: number }
  | { kind: 'stale'; why: string }
  | { kind: 'notStored' }
  | { kind: 'busy'; leaseExpiresAtEpochMs: number }
  | { kind: 'leaseExpired'; request: BrokerRequest }
  | { kind: 'domainFull'; hasPolicy: boolean }
  | { kind: 'held'; holdUntilEpochMs: number; holdMessage?: string };

/**
 * Admits the message's request in one transaction: the request moves from QUEUED, WAITING or
 * RETRYING to ADMITTED (expecting the message's token and attempt number), a quota slot is taken,
 * and the account-level hold of its (app type, instance type) must have passed. A failed
 * condition says which of those stood in the way.
 */
export async function admit(deps: WorkerDeps, message: WorkMessage): Promise<Admission> {
  const { config } = deps;
  const nowEpochMs = deps.now();
  const leaseId = deps.newId();
  const subject = slotSubjectOf(message);
  const defaultMax = config.defaultDomainMaxActiveApps === 'reject' ? 0 : config.defaultDomainMaxActiveApps;

  const admitRequest = transitionItem(
    config.requestsTableName,
    message.requestId,
    { states: ADMISSIBLE_STATES, messageToken: message.messageToken, attempt: message.attempt },
    {
      set: { state: 'ADMITTED', leaseId, leaseExpiresAtEpochMs: nowEpochMs + config.admissionLeaseSeconds * 1000, updatedAtEpochMs: nowEpochMs },
      remove: ['notBeforeEpochMs'],
      incrementAttempt: true,
    },
  );
  const result = await transactWrite(
    deps.dynamo,
    [admitRequest, ...reserveSlotItems(config.quotasTableName, subject, defaultMax, nowEpochMs), noHoldItem(config.quotasTableName, subject, nowEpochMs)],
    deps.random,
  );
  if (result.ok) return { kind: 'admitted', leaseId, attempt: message.attempt + 1 };

  const [requestReason, slotReason, usageReason, holdReason] = result.reasons;
  if (requestReason?.code === 'ConditionalCheckFailed') {
    return explainRequestCondition(message, requestReason.item as BrokerRequest | undefined, nowEpochMs);
  }
  if (usageReason?.code === 'ConditionalCheckFailed') {
    return { kind: 'domainFull', hasPolicy: usageReason.item?.maxActiveApps !== undefined };
  }
  if (holdReason?.code === 'ConditionalCheckFailed') {
    const hold = holdReason.item ?? {};
    return { kind: 'held', holdUntilEpochMs: Number(hold.holdUntilEpochMs ?? nowEpochMs), holdMessage: hold.message as string | undefined };
  }
  if (slotReason?.code === 'ConditionalCheckFailed') {
    throw new Error(`Quota slot of request ${message.requestId} exists while the request waits for admission`);
  }
  throw new Error(`Failed to admit request ${message.requestId}: ${result.reasons.map((reason) => reason.code).join(', ')}`);
}

function explainRequestCondition(message: WorkMessage, request: BrokerRequest | undefined, nowEpochMs: number): Admission {
  if (request === undefined) return { kind: 'notStored' };

  const isCurrentMessage = request.messageToken === message.messageToken;
  if (!isCurrentMessage) return { kind: 'stale', why: 'a newer message replaced this one' };
  if (isFinal(request.state)) return { kind: 'stale', why: `request is ${request.state}` };

  if (request.state === 'ADMITTED') {
    const leaseExpiresAtEpochMs = request.leaseExpiresAtEpochMs ?? 0;
    if (leaseExpiresAtEpochMs > nowEpochMs) return { kind: 'busy', leaseExpiresAtEpochMs };
    return { kind: 'leaseExpired', request };
  }
  return { kind: 'stale', why: `attempt ${request.attempt} recorded, message sent at attempt ${message.attempt}` };
}

/** Takes over an ADMITTED request whose worker's lease expired; its quota slot is still held. */
export async function takeOverLease(deps: WorkerDeps, message: WorkMessage, request: BrokerRequest): Promise<Admission> {
  const nowEpochMs = deps.now();
  const leaseId = deps.newId();
  const takeOver = transitionItem(
    deps.config.requestsTableName,
    message.requestId,
    { states: ['ADMITTED'], messageToken: message.messageToken, leaseId: request.leaseId, attempt: request.attempt },
    {
      set: { leaseId, leaseExpiresAtEpochMs: nowEpochMs + deps.config.admissionLeaseSeconds * 1000, updatedAtEpochMs: nowEpochMs },
      incrementAttempt: true,
    },
  );
  const result = await transactWrite(deps.dynamo, [takeOver], deps.random);
  if (result.ok) return { kind: 'admitted', leaseId, attempt: request.attempt + 1 };
  return { kind: 'stale', why: 'another worker took the expired lease first' };
}
