import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, publishMetrics } from '../shared/observability';
import type { WorkerDeps } from '../worker/deps';
import { createDefaultWorkerDeps } from '../worker/handler';
import { processDeadLetter } from './process-dead-letter';

/** Builds the handler of the dead-letter queue's event source: one request outcome per message. */
export function createDeadLetterHandler(deps: WorkerDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  async function processRecord(record: SQSRecord): Promise<void> {
    const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? '0');
    const outcome = await processDeadLetter(deps, record.body, receiveCount);
    logger.info('Dead-letter message handled', { messageId: record.messageId, outcome });
  }

  return async (event, context) => {
    logger.addContext(context);
    // One processor per invocation: it keeps the batch's records and failures on itself.
    const processor = new BatchProcessor(EventType.SQS);
    try {
      return await processPartialResponse(event, processRecord, processor, { context, throwOnFullBatchFailure: false });
    } finally {
      publishMetrics();
    }
  };
}

let defaultHandler: ReturnType<typeof createDeadLetterHandler> | undefined;

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  defaultHandler ??= createDeadLetterHandler(createDefaultWorkerDeps());
  return defaultHandler(event, context);
};
