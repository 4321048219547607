import type { FieldError } from '../requests/schema';

/**
 * An error the API reports to its caller. Every error body has the same shape:
 * `{ "error": { "code", "message", "details": [{ "field", "rule", "message" }] } }`.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): { error: { code: string; message: string; details: FieldError[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
