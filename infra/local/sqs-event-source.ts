import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localLambdaContext } from './lambda-context';

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;
  /** Records per invocation, 1..10, as the event source mapping's BatchSize. */
  batchSize?: number;
  /** Concurrent pollers, like Lambda's MaximumConcurrency. */
  concurrency?: number;
  /** Long-poll wait of one ReceiveMessage call, in seconds. */
  waitTimeSeconds?: number;
}

export interface SqsEventSource {
  /**
   * Stops polling after the receive in flight, whose messages are still handled: an aborted long
   * poll would let the emulator hand a message to a closed connection and hide it for the whole
   * visibility timeout.
   */
  stop(): Promise<void>;
  stats: { invocations: number; records: number; failedRecords: number; handlerErrors: number };
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/**
 * Local stand-in for Lambda's SQS event source mapping: long-polls the queue, invokes the handler
 * with SQS events of up to `batchSize` records, and deletes the records that the partial batch
 * response does not list. A handler that throws leaves the whole batch on the queue, where it
 * becomes visible again after the visibility timeout, as in AWS.
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const stats = { invocations: 0, records: 0, failedRecords: 0, handlerErrors: 0 };
  let running = true;

  async function pollOnce(): Promise<void> {
    const output = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: options.batchSize ?? 10,
        WaitTimeSeconds: options.waitTimeSeconds ?? 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) return;

    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, options.queueArn)) };
    stats.invocations += 1;
    stats.records += messages.length;
    let failedIds: Set<string>;
    try {
      const response = await options.handler(event, localLambdaContext(options.functionName));
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch {
      stats.handlerErrors += 1;
      return;
    }

    stats.failedRecords += failedIds.size;
    const done = event.Records.filter((record) => !failedIds.has(record.messageId));
    if (done.length === 0) return;
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }

  async function loop(): Promise<void> {
    while (running) {
      try {
        await pollOnce();
      } catch {
        if (!running) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  const loops = Array.from({ length: options.concurrency ?? 1 }, () => loop());
  return {
    stats,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
