import type { FieldError } from '../requests/schema';

/** Body of every error response: `{ "error": { "code", "message", "details": [{ "field", "rule", "message" }] } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details: FieldError[] };
}

/**
 * An error the API reports to its caller, with the HTTP status code, a stable `code` that callers
 * can match on, and per-field details for validation failures. `headers` go on the HTTP response
 * (e.g. `retry-after` on an idempotency key still in progress).
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/**
 * Raised, after logging, for an event that matches none of the submit function's entry shapes
 * (HTTP API payload 2.0, EventBridge event, direct invocation, bare CreateApp input). The
 * invocation fails with this error type, so an SQS batch sent here by mistake stays on its queue
 * and reaches that queue's dead-letter queue instead of being deleted.
 */
export class UnsupportedEventError extends Error {
  constructor(readonly eventKind: string) {
    super(
      `The submit function does not accept this event (${eventKind}); send an HTTP API payload 2.0 event, ` +
        'an EventBridge event whose detail holds a CreateApp input, or { "action": "submit", "request": {...} }',
    );
    this.name = 'UnsupportedEventError';
  }
}
