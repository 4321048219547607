import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createBufferedPublisher, createEventBridgePublisher } from '../events/publisher';
import { workMessageSchema } from '../queue/messages';
import { createSageMakerClient } from '../sagemaker/apps';
import { createDynamoDocumentClient, createSqsClient } from '../shared/aws';
import { loadConfig } from '../shared/config';
import { logger, publishMetrics } from '../shared/observability';
import type { WorkerDeps } from './deps';
import { RecordNotDoneError } from './errors';
import { processWorkMessage } from './process-message';

/** Lambda's own failures for a record that rejected with something that is not an Error. */
class RecordRejectedError extends Error {
  constructor(readonly rejection: unknown) {
    super(`Record handler rejected with a non-Error value: ${String(rejection)}`);
    this.name = 'RecordRejectedError';
  }
}

async function returnToQueueAfter(deps: WorkerDeps, record: SQSRecord, error: RecordNotDoneError): Promise<void> {
  if (error.visibilityTimeoutSeconds === undefined) return;
  try {
    await deps.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: deps.config.workQueueUrl,
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: Math.min(43_200, Math.max(0, error.visibilityTimeoutSeconds)),
      }),
    );
  } catch (visibilityError) {
    logger.warn('Failed to shorten the visibility of a message that returns to the queue', { messageId: record.messageId, error: visibilityError as Error });
  }
}

/**
 * Builds the worker's handler: SQS batches with partial batch responses. Each record is
 * processed on its own; the response lists exactly the records whose work failed or is not
 * done, also when every record fails.
 */
export function createWorkerHandler(sharedDeps: WorkerDeps): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  async function processRecord(deps: WorkerDeps, record: SQSRecord): Promise<void> {
    const parsed = workMessageSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      logger.error('Work message has an invalid body; it will reach the dead-letter queue', { messageId: record.messageId, issues: parsed.error.issues });
      throw new Error(`Invalid work message ${record.messageId}`);
    }

    const message = parsed.data;
    logger.appendKeys({ requestId: message.requestId, domainId: message.input.DomainId, messageId: record.messageId });
    try {
      await processWorkMessage(deps, message);
    } catch (error) {
      if (error instanceof RecordNotDoneError) {
        logger.info('Message returns to the queue', { reason: error.message });
        await returnToQueueAfter(deps, record, error);
        throw error;
      }
      if (error instanceof Error) {
        logger.error('Failed to process work message', { error });
        throw error;
      }
      throw new RecordRejectedError(error);
    } finally {
      logger.removeKeys(['requestId', 'domainId', 'messageId']);
    }
  }

  return async (event, context) => {
    logger.addContext(context);
    // A BatchProcessor keeps the batch's records and failures on itself. Each invocation gets its
    // own, because overlapping invocations (local pollers share one handler) would mix them.
    const processor = new BatchProcessor(EventType.SQS);
    // Outcome events of the whole batch go out together, ten per PutEvents call, after the records.
    const publisher = createBufferedPublisher(sharedDeps.publisher);
    const deps: WorkerDeps = { ...sharedDeps, publisher };
    try {
      return await processPartialResponse(event, (record: SQSRecord) => processRecord(deps, record), processor, { context, throwOnFullBatchFailure: false });
    } finally {
      await publisher.flush();
      publishMetrics();
    }
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Default dependencies for AWS: configuration from the environment, real clients. */
export function createDefaultWorkerDeps(env: Record<string, string | undefined> = process.env): WorkerDeps {
  const config = loadConfig(env);
  return {
    config,
    dynamo: createDynamoDocumentClient(config),
    sqs: createSqsClient(config),
    sageMaker: createSageMakerClient(config),
    publisher: createEventBridgePublisher(config),
    now: Date.now,
    random: Math.random,
    newId: randomUUID,
  };
}

let defaultHandler: ReturnType<typeof createWorkerHandler> | undefined;

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  defaultHandler ??= createWorkerHandler(createDefaultWorkerDeps());
  return defaultHandler(event, context);
};
