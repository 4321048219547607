/**
 * Injected faults, applied in the order they were queued. A call takes one use from the first
 * queued fault that matches its operation; `partialFailure` is counted in PutEvents entries instead.
 */
import type { Fault } from './types';

const FAULT_KINDS = new Set(['throttle', 'internal', 'unavailable', 'createThenInternal', 'slow', 'partialFailure']);

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

/** Checks a fault from untyped input, such as the control API, and returns it typed. */
export function checkFault(value: unknown): Fault {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('Invalid fault: expected an object with operation, kind and count.');
  }
  const fault = value as Record<string, unknown>;

  if (typeof fault.operation !== 'string' || fault.operation === '') {
    throw new TypeError("Invalid fault: operation must be an operation name such as 'CreateApp', or '*'.");
  }
  if (typeof fault.kind !== 'string' || !FAULT_KINDS.has(fault.kind)) {
    throw new TypeError(`Invalid fault kind ${JSON.stringify(fault.kind)}: expected one of ${[...FAULT_KINDS].join(', ')}.`);
  }
  if (typeof fault.count !== 'number' || !Number.isInteger(fault.count) || fault.count < 1) {
    throw new RangeError(`Invalid fault count ${JSON.stringify(fault.count)}: expected an integer of 1 or more.`);
  }

  if (fault.kind === 'createThenInternal' && fault.operation !== 'CreateApp') {
    throw new TypeError("Invalid fault: kind 'createThenInternal' needs operation 'CreateApp'.");
  }
  if (fault.kind === 'partialFailure' && fault.operation !== 'PutEvents') {
    throw new TypeError("Invalid fault: kind 'partialFailure' needs operation 'PutEvents'.");
  }
  if (fault.kind === 'slow' && (typeof fault.delayMs !== 'number' || fault.delayMs < 0)) {
    throw new RangeError(`Invalid fault delayMs ${JSON.stringify(fault.delayMs)}: expected a number of 0 or more.`);
  }
  const hasRetryAfter = fault.retryAfterSeconds !== undefined;
  if (fault.kind === 'throttle' && hasRetryAfter && (typeof fault.retryAfterSeconds !== 'number' || fault.retryAfterSeconds < 0)) {
    throw new RangeError(`Invalid fault retryAfterSeconds ${JSON.stringify(fault.retryAfterSeconds)}: expected a number of 0 or more.`);
  }
  return { ...fault } as Fault;
}

export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: Fault): void {
    const checked = checkFault(fault);
    this.queue.push({ fault: checked, remaining: checked.count });
  }

  clear(): void {
    this.queue = [];
  }

  /** Takes one use of the first per-call fault for this operation, if any. */
  takeForCall(operation: string): Fault | undefined {
    const queued = this.queue.find(({ fault }) => {
      const operationMatches = fault.operation === '*' || fault.operation === operation;
      return operationMatches && fault.kind !== 'partialFailure';
    });
    if (queued === undefined) {
      return undefined;
    }

    this.consume(queued, 1);
    return queued.fault;
  }

  /** Takes up to `entryCount` failing PutEvents entries and returns how many entries fail. */
  takeFailedEntries(entryCount: number): number {
    let failed = 0;
    for (const queued of this.queue) {
      if (queued.fault.kind !== 'partialFailure' || failed === entryCount) {
        continue;
      }
      const taken = Math.min(queued.remaining, entryCount - failed);
      this.consume(queued, taken);
      failed += taken;
    }
    return failed;
  }

  private consume(queued: QueuedFault, uses: number): void {
    queued.remaining -= uses;
    if (queued.remaining <= 0) {
      this.queue = this.queue.filter((other) => other !== queued);
    }
  }
}
