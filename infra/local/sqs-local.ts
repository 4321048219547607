import { startFauxqs } from 'fauxqs';
import { findFreePort } from './free-port';

export interface LocalQueues {
  endpoint: string;
  workQueueUrl: string;
  deadLetterQueueUrl: string;
  stop(): Promise<void>;
}

export interface LocalQueueOptions {
  port?: number;
  /** Seconds a received message stays invisible; the worker's lease must be shorter. */
  visibilityTimeoutSeconds?: number;
  maxReceiveCount?: number;
}

/** Starts the fauxqs SQS emulator in this process with the work queue and its dead-letter queue. */
export async function startLocalQueues(options: LocalQueueOptions = {}): Promise<LocalQueues> {
  const port = options.port ?? (await findFreePort());
  const server = await startFauxqs({ port, logger: false });
  const deadLetter = server.createQueue('studio-app-broker-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  const work = server.createQueue('studio-app-broker-requests', {
    attributes: {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 180),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.queueArn, maxReceiveCount: String(options.maxReceiveCount ?? 5) }),
    },
  });

  return {
    endpoint: server.address,
    workQueueUrl: work.queueUrl,
    deadLetterQueueUrl: deadLetter.queueUrl,
    stop: () => server.stop(),
  };
}
