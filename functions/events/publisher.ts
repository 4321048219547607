import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { BrokerConfig } from '../shared/config';
import { logger, tracer } from '../shared/observability';
import type { RequestState } from '../requests/model';

/** `source` of every outcome event the broker puts on its bus. */
export const EVENT_SOURCE = 'studio-app-broker';

export const DETAIL_TYPES = {
  CREATED: 'Studio App Request Created',
  READY: 'Studio App Request Ready',
  FAILED: 'Studio App Request Failed',
  CANCELLED: 'Studio App Request Cancelled',
} as const satisfies Partial<Record<RequestState, string>>;

export type OutcomeState = keyof typeof DETAIL_TYPES;

/** `detail` of an outcome event; documented in the README. */
export interface OutcomeDetail {
  requestId: string;
  state: OutcomeState;
  domainId: string;
  appType: string;
  appName: string;
  userProfileName?: string;
  spaceName?: string;
  instanceType: string;
  appArn?: string;
  failureReason?: string;
  failureMessage?: string;
  errorName?: string;
  attempts: number;
  createdAtEpochMs: number;
  updatedAtEpochMs: number;
}

export interface OutcomePublisher {
  /** Puts outcome events on the bus. Implementations log failures instead of throwing, so a lost event cannot undo a state change. */
  publish(details: OutcomeDetail[]): Promise<void>;
}

const MAX_ENTRIES_PER_CALL = 10;
const MAX_PUT_ATTEMPTS = 3;

/** Publisher that puts nothing; for deployments without a bus and for tests that ignore events. */
export const noEventPublisher: OutcomePublisher = { publish: async () => {} };

function toEntry(busName: string, detail: OutcomeDetail): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: DETAIL_TYPES[detail.state],
    Detail: JSON.stringify(detail),
    Time: new Date(detail.updatedAtEpochMs),
  };
}

/**
 * Builds a publisher on an EventBridge bus. Entries that PutEvents reports as failed
 * (FailedEntryCount) and calls that throw are retried up to three times in all. What still fails
 * is logged with the request id and dropped.
 */
export function createEventBridgePublisher(config: BrokerConfig, client?: EventBridgeClient): OutcomePublisher {
  if (!config.eventBusName) return noEventPublisher;
  const eventBridge = client ?? tracer.captureAWSv3Client(new EventBridgeClient({ region: config.region, endpoint: config.endpoints.eventbridge }));

  async function putChunk(details: OutcomeDetail[]): Promise<void> {
    let pending = details;
    for (let attempt = 1; attempt <= MAX_PUT_ATTEMPTS && pending.length > 0; attempt += 1) {
      try {
        const output = await eventBridge.send(
          new PutEventsCommand({ Entries: pending.map((detail) => toEntry(config.eventBusName, detail)) }),
        );
        const failedCount = output.FailedEntryCount ?? 0;
        pending = failedCount === 0 ? [] : pending.filter((_, index) => output.Entries?.[index]?.ErrorCode !== undefined);
      } catch (error) {
        logger.warn('PutEvents call failed', { attempt, error: error as Error, requestIds: pending.map((detail) => detail.requestId) });
      }
    }
    for (const detail of pending) {
      logger.error('Outcome event not published', { requestId: detail.requestId, state: detail.state });
    }
  }

  return {
    async publish(details) {
      for (let start = 0; start < details.length; start += MAX_ENTRIES_PER_CALL) {
        await putChunk(details.slice(start, start + MAX_ENTRIES_PER_CALL));
      }
    },
  };
}

export interface BufferedPublisher extends OutcomePublisher {
  /** Publishes everything buffered so far through the inner publisher. */
  flush(): Promise<void>;
}

/**
 * Publisher that keeps outcome events until `flush`, so that one SQS batch's events share
 * PutEvents calls. An invocation that dies before flushing loses its events, as one that dies
 * mid-PutEvents would; the request states are already written.
 */
export function createBufferedPublisher(inner: OutcomePublisher): BufferedPublisher {
  let buffered: OutcomeDetail[] = [];
  return {
    async publish(details) {
      buffered.push(...details);
    },
    async flush() {
      const details = buffered;
      buffered = [];
      if (details.length > 0) await inner.publish(details);
    },
  };
}
