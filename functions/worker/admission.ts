import { keepSlotItem, noHoldItem, reserveSlotItems } from '../quota/reservation';
import { ADMISSIBLE_STATES, isFinal, type BrokerRequest } from '../requests/model';
import { transitionItem } from '../requests/store';
import { transactWrite, type CancellationReason, type TransactItem } from '../shared/transactions';
import type { WorkMessage } from '../queue/messages';
import type { WorkerDeps } from './deps';
import { slotSubjectOf } from './subject';

/** Result of trying to admit a message's request. */
export type Admission =
  | { kind: 'admitted'; leaseId: string; attempt: number }
  | { kind: 'stale'; why: string }
  | { kind: 'notStored' }
  | { kind: 'busy'; leaseExpiresAtEpochMs: number }
  | { kind: 'leaseExpired'; request: BrokerRequest }
  | { kind: 'domainFull'; hasPolicy: boolean }
  | { kind: 'held'; holdUntilEpochMs: number; holdMessage?: string }
  | { kind: 'contended' };

function failedCondition(reason: CancellationReason | undefined): boolean {
  return reason?.code === 'ConditionalCheckFailed';
}

function isConflictOnly(reasons: CancellationReason[]): boolean {
  return reasons.some((reason) => reason.code === 'TransactionConflict') && !reasons.some(failedCondition);
}

/**
 * Admits the message's request in one transaction. The request moves from QUEUED, WAITING or
 * RETRYING to ADMITTED, expecting the message's token and attempt number. A quota slot is taken,
 * and the account-level hold of its (app type, instance type) must have passed. A failed
 * condition says which of those stood in the way. A request that kept its slot through a retry
 * (its app may exist already) is admitted on that slot without taking a second one.
 */
export async function admit(deps: WorkerDeps, message: WorkMessage): Promise<Admission> {
  const { config } = deps;
  const nowEpochMs = deps.now();
  const leaseId = deps.newId();
  const subject = slotSubjectOf(message);
  const defaultMax = config.defaultDomainMaxActiveApps === 'reject' ? 0 : config.defaultDomainMaxActiveApps;

  const admitRequest = admitRequestItem(deps, message, leaseId, nowEpochMs);
  const result = await transactWrite(
    deps.dynamo,
    [admitRequest, ...reserveSlotItems(config.quotasTableName, subject, defaultMax, nowEpochMs), noHoldItem(config.quotasTableName, subject, nowEpochMs)],
    deps.random,
  );
  if (result.ok) return { kind: 'admitted', leaseId, attempt: message.attempt + 1 };

  // DynamoDB reports every failed condition of a cancelled transaction, so the slot is checked
  // before the usage counter: a request holding its slot also counts towards a full domain.
  const [requestReason, slotReason, usageReason, holdReason] = result.reasons;
  if (failedCondition(requestReason)) {
    return explainRequestCondition(message, requestReason?.item as BrokerRequest | undefined, nowEpochMs);
  }
  if (failedCondition(slotReason)) return admitOnKeptSlot(deps, message, leaseId, nowEpochMs);
  if (failedCondition(usageReason)) {
    return { kind: 'domainFull', hasPolicy: usageReason?.item?.maxActiveApps !== undefined };
  }
  if (failedCondition(holdReason)) {
    const hold = holdReason?.item ?? {};
    return { kind: 'held', holdUntilEpochMs: Number(hold.holdUntilEpochMs ?? nowEpochMs), holdMessage: hold.message as string | undefined };
  }
  if (isConflictOnly(result.reasons)) return { kind: 'contended' };
  throw new Error(`Failed to admit request ${message.requestId}: ${result.reasons.map((reason) => reason.code).join(', ')}`);
}

function admitRequestItem(deps: WorkerDeps, message: WorkMessage, leaseId: string, nowEpochMs: number): TransactItem {
  return transitionItem(
    deps.config.requestsTableName,
    message.requestId,
    { states: ADMISSIBLE_STATES, messageToken: message.messageToken, attempt: message.attempt },
    {
      set: { state: 'ADMITTED', leaseId, leaseExpiresAtEpochMs: nowEpochMs + deps.config.admissionLeaseSeconds * 1000, updatedAtEpochMs: nowEpochMs },
      remove: ['notBeforeEpochMs'],
      incrementAttempt: true,
    },
  );
}

/**
 * Admits a request whose slot survived its last attempt: after a 5xx, a throttle or an unknown
 * error CreateApp may have created the app, so the slot stays taken until the outcome is known.
 * The usage counter and the hold are not checked again because the slot already counts.
 */
async function admitOnKeptSlot(deps: WorkerDeps, message: WorkMessage, leaseId: string, nowEpochMs: number): Promise<Admission> {
  const admitRequest = admitRequestItem(deps, message, leaseId, nowEpochMs);
  const result = await transactWrite(deps.dynamo, [admitRequest, keepSlotItem(deps.config.quotasTableName, slotSubjectOf(message), nowEpochMs)], deps.random);
  if (result.ok) return { kind: 'admitted', leaseId, attempt: message.attempt + 1 };

  const [requestReason] = result.reasons;
  if (failedCondition(requestReason)) {
    return explainRequestCondition(message, requestReason?.item as BrokerRequest | undefined, nowEpochMs);
  }
  // A conflict, or the slot vanished between the two transactions because the reconciler took
  // it back: either way the next delivery starts over.
  return { kind: 'contended' };
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
