import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** Reason one item of a cancelled transaction failed, with the item as it was when DynamoDB returned it. */
export interface CancellationReason {
  code: string;
  item?: Record<string, unknown>;
}

export type TransactResult = { ok: true } | { ok: false; reasons: CancellationReason[] };

const MAX_CONFLICT_RETRIES = 4;

function isConflictOnly(reasons: CancellationReason[]): boolean {
  return reasons.some((reason) => reason.code === 'TransactionConflict') && !reasons.some((reason) => reason.code === 'ConditionalCheckFailed');
}

/**
 * Runs one TransactWriteItems call. A condition that fails is returned as data, item by item,
 * because the caller decides from it. A conflict with another transaction is retried a few times
 * with a short random pause. Any other error is thrown.
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  random: () => number = Math.random,
): Promise<TransactResult> {
  for (let retry = 0; ; retry += 1) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return { ok: true };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;

      const reasons = (error.CancellationReasons ?? []).map((reason) => ({
        code: reason.Code ?? 'None',
        item: reason.Item ? unmarshall(reason.Item) : undefined,
      }));
      if (isConflictOnly(reasons) && retry < MAX_CONFLICT_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 20 * 2 ** retry)));
        continue;
      }
      return { ok: false, reasons };
    }
  }
}
