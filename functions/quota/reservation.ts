import type { TransactItem } from '../shared/transactions';
import {
  activeByAppTypeAttribute,
  activeByInstanceTypeAttribute,
  domainPartitionKey,
  HOLD_PARTITION_KEY,
  holdSortKey,
  maxByAppTypeAttribute,
  maxByInstanceTypeAttribute,
  slotSortKey,
  USAGE_SORT_KEY,
} from './keys';

/** Subject of a quota slot: one request's app in one domain. */
export interface SlotSubject {
  requestId: string;
  domainId: string;
  appType: string;
  instanceType: string;
}

/**
 * Builds the transaction items that take one quota slot. The slot item is keyed by the request id,
 * so a replay cannot take a second slot. One conditional increment of the domain's usage item
 * compares the counters with the policy stored on the same item. No read comes
 * before it, so concurrent reservations can never over-admit.
 *
 * `defaultMaxActiveApps` applies to a domain without a policy; 0 rejects every request of it.
 */
export function reserveSlotItems(
  tableName: string,
  subject: SlotSubject,
  defaultMaxActiveApps: number,
  nowEpochMs: number,
): TransactItem[] {
  const partitionKey = domainPartitionKey(subject.domainId);
  const slot: TransactItem = {
    Put: {
      TableName: tableName,
      Item: {
        pk: partitionKey,
        sk: slotSortKey(subject.requestId),
        requestId: subject.requestId,
        domainId: subject.domainId,
        appType: subject.appType,
        instanceType: subject.instanceType,
        reservedAtEpochMs: nowEpochMs,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };

  const withinTotal =
    '((attribute_exists(#max) AND ((attribute_not_exists(#active) AND #max > :zero) OR #active < #max))' +
    ' OR (attribute_not_exists(#max) AND ((attribute_not_exists(#active) AND :defaultMax > :zero) OR #active < :defaultMax)))';
  const withinInstanceType =
    '(attribute_not_exists(#maxIt) OR (attribute_not_exists(#activeIt) AND #maxIt > :zero) OR #activeIt < #maxIt)';
  const withinAppType =
    '(attribute_not_exists(#maxAt) OR (attribute_not_exists(#activeAt) AND #maxAt > :zero) OR #activeAt < #maxAt)';
  const usage: TransactItem = {
    Update: {
      TableName: tableName,
      Key: { pk: partitionKey, sk: USAGE_SORT_KEY },
      UpdateExpression: 'ADD #active :one, #activeIt :one, #activeAt :one SET #domainId = :domainId',
      ConditionExpression: `${withinTotal} AND ${withinInstanceType} AND ${withinAppType}`,
      ExpressionAttributeNames: {
        '#active': 'active',
        '#max': 'maxActiveApps',
        '#activeIt': activeByInstanceTypeAttribute(subject.instanceType),
        '#maxIt': maxByInstanceTypeAttribute(subject.instanceType),
        '#activeAt': activeByAppTypeAttribute(subject.appType),
        '#maxAt': maxByAppTypeAttribute(subject.appType),
        '#domainId': 'domainId',
      },
      ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':defaultMax': defaultMaxActiveApps, ':domainId': subject.domainId },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  return [slot, usage];
}

/**
 * Transaction item that keeps the subject's existing slot for another attempt: it must exist,
 * and its reservation time restarts so the reconciler does not take it back mid-attempt.
 */
export function keepSlotItem(tableName: string, subject: SlotSubject, nowEpochMs: number): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: { pk: domainPartitionKey(subject.domainId), sk: slotSortKey(subject.requestId) },
      UpdateExpression: 'SET reservedAtEpochMs = :now',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':now': nowEpochMs },
    },
  };
}

/** Builds a condition that the account-level hold on the subject's (app type, instance type) has passed. */
export function noHoldItem(tableName: string, subject: SlotSubject, nowEpochMs: number): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: { pk: HOLD_PARTITION_KEY, sk: holdSortKey(subject.appType, subject.instanceType) },
      ConditionExpression: 'attribute_not_exists(holdUntilEpochMs) OR holdUntilEpochMs <= :now',
      ExpressionAttributeValues: { ':now': nowEpochMs },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/**
 * Transaction items that free the subject's slot. The slot delete is conditional on the slot
 * existing, so a replayed release cancels the transaction instead of decrementing twice.
 */
export function releaseSlotItems(tableName: string, subject: SlotSubject): TransactItem[] {
  const partitionKey = domainPartitionKey(subject.domainId);
  return [
    {
      Delete: {
        TableName: tableName,
        Key: { pk: partitionKey, sk: slotSortKey(subject.requestId) },
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: { pk: partitionKey, sk: USAGE_SORT_KEY },
        UpdateExpression: 'ADD #active :minusOne, #activeIt :minusOne, #activeAt :minusOne',
        ExpressionAttributeNames: {
          '#active': 'active',
          '#activeIt': activeByInstanceTypeAttribute(subject.instanceType),
          '#activeAt': activeByAppTypeAttribute(subject.appType),
        },
        ExpressionAttributeValues: { ':minusOne': -1 },
      },
    },
  ];
}
