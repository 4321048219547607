/**
 * AWSEvents.PutEvents (EventBridge, awsJson1_1): records each accepted entry. Entry-level failures
 * are reported in the result entries with FailedEntryCount, as EventBridge does, not as an error.
 */
import { randomUUID } from 'node:crypto';

import { Violations, requestObject } from './constraints';
import { serializationError } from './errors';
import type { FaultQueue } from './faults';
import type { RecordedEvent } from './types';

interface ResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsOutput {
  FailedEntryCount: number;
  Entries: ResultEntry[];
}

function missingMember(member: string): ResultEntry {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.` };
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** Returns the entry-level error of an entry, or undefined when EventBridge would accept it. */
function entryError(entry: Omit<RecordedEvent, 'EventId' | 'recordedAtEpochMs'>): ResultEntry | undefined {
  if (entry.Source === undefined) {
    return missingMember('Source');
  }
  if (entry.DetailType === undefined) {
    return missingMember('DetailType');
  }
  if (entry.Detail === undefined) {
    return missingMember('Detail');
  }
  if (!isJsonObject(entry.Detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  return undefined;
}

export class EventRecorder {
  private recorded: RecordedEvent[] = [];

  constructor(
    private readonly faults: FaultQueue,
    private readonly now: () => number,
  ) {}

  events(): RecordedEvent[] {
    return this.recorded.map((event) => ({ ...event }));
  }

  clear(): void {
    this.recorded = [];
  }

  /** Handles one PutEvents request body; the queued partialFailure faults fail the first accepted entries. */
  putEvents(body: unknown): PutEventsOutput {
    const request = requestObject(body);
    const violations = new Violations();
    const items = violations.list(request.Entries, 'entries', { required: true, minLength: 1, maxLength: 10 }) ?? [];
    const entries = items.map((item, index) => this.readEntry(violations, item, `entries.${index + 1}.member`));
    violations.throwIfAny();

    const acceptedCount = entries.filter((entry) => entryError(entry) === undefined).length;
    let entriesToFail = this.faults.takeFailedEntries(acceptedCount);

    const results = entries.map((entry): ResultEntry => {
      const error = entryError(entry);
      if (error !== undefined) {
        return error;
      }
      if (entriesToFail > 0) {
        entriesToFail -= 1;
        return { ErrorCode: 'InternalException', ErrorMessage: 'Internal Service error.' };
      }

      const eventId = randomUUID();
      this.recorded.push({ ...entry, EventId: eventId, recordedAtEpochMs: this.now() });
      return { EventId: eventId };
    });

    const failedEntryCount = results.filter((result) => result.ErrorCode !== undefined).length;
    return { FailedEntryCount: failedEntryCount, Entries: results };
  }

  private readEntry(violations: Violations, item: unknown, path: string): Omit<RecordedEvent, 'EventId' | 'recordedAtEpochMs'> {
    const entry = violations.structure(item, path, true) ?? {};
    const source = violations.string(entry.Source, `${path}.source`, {});
    const detailType = violations.string(entry.DetailType, `${path}.detailType`, {});
    const detail = violations.string(entry.Detail, `${path}.detail`, {});
    const eventBusName = violations.string(entry.EventBusName, `${path}.eventBusName`, { minLength: 1, maxLength: 1600 });
    const resources = violations.list(entry.Resources, `${path}.resources`, {});
    const time = entry.Time;
    if (time !== undefined && typeof time !== 'number') {
      throw serializationError(`Expected a timestamp in epoch seconds at '${path}.time' but found ${typeof time}.`);
    }

    const recorded: Omit<RecordedEvent, 'EventId' | 'recordedAtEpochMs'> = { EventBusName: eventBusName ?? 'default' };
    if (source !== undefined) {
      recorded.Source = source;
    }
    if (detailType !== undefined) {
      recorded.DetailType = detailType;
    }
    if (detail !== undefined) {
      recorded.Detail = detail;
    }
    if (typeof time === 'number') {
      recorded.Time = time;
    }
    if (resources !== undefined) {
      recorded.Resources = resources.map(String);
    }
    return recorded;
  }
}
