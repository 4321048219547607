import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { createAppRequestSchema } from '../requests/schema';
import { toDelaySeconds } from './backoff';

/**
 * Body of a work-queue message. Besides the request id it carries the token that names it as
 * the request's one live message, and the immutable CreateApp input, so the worker can admit the
 * request without reading it first. State always lives in the requests table.
 */
export const workMessageSchema = z.object({
  requestId: z.string().min(1),
  messageToken: z.string().min(1),
  /** CreateApp attempts recorded on the request when the message was sent. */
  attempt: z.number().int().min(0),
  /** Times the request has waited for domain quota or an account-level hold, for its backoff. */
  waits: z.number().int().min(0),
  createdAtEpochMs: z.number().int(),
  deadlineEpochMs: z.number().int(),
  /** The worker re-sends the message instead of acting before this time. */
  notBeforeEpochMs: z.number().int().optional(),
  input: createAppRequestSchema,
});

export type WorkMessage = z.infer<typeof workMessageSchema>;

/** Sends a work message with an integer `DelaySeconds` in 0..900 derived from `notBeforeEpochMs`. */
export async function sendWorkMessage(
  client: SQSClient,
  queueUrl: string,
  message: WorkMessage,
  nowEpochMs: number,
): Promise<void> {
  const waitSeconds = message.notBeforeEpochMs === undefined ? 0 : (message.notBeforeEpochMs - nowEpochMs) / 1000;
  await client.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(message),
      DelaySeconds: toDelaySeconds(waitSeconds),
    }),
  );
}
