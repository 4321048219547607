/**
 * Raised for a record that must not be acknowledged yet: its message goes back to the queue and
 * is received again after `visibilityTimeoutSeconds` (or the queue's visibility timeout).
 */
export class RecordNotDoneError extends Error {
  constructor(
    message: string,
    readonly visibilityTimeoutSeconds?: number,
  ) {
    super(message);
    this.name = 'RecordNotDoneError';
  }
}
