/**
 * Errors the simulator sends as awsJson1_1 error envelopes. The SDK resolves the error code from
 * the body's `__type` and the message from `message` or `Message`.
 */

/** Codes that are modeled shapes in the SageMaker SDK; their envelope carries `Message`. */
const MODELED_ERROR_CODES = new Set(['ConflictException', 'ResourceInUse', 'ResourceLimitExceeded', 'ResourceNotFound']);

export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** Body of the error response. */
  toEnvelope(): Record<string, string> {
    if (MODELED_ERROR_CODES.has(this.code)) {
      return { __type: this.code, Message: this.message };
    }
    return { __type: this.code, message: this.message };
  }
}

/**
 * Builds a ValidationException from member violations, in the form AWS request validation uses:
 * `2 validation errors detected: <first>; <second>`.
 */
export function validationErrors(violations: readonly string[]): ServiceError {
  const count = violations.length;
  const noun = count === 1 ? 'error' : 'errors';
  return new ServiceError(400, 'ValidationException', `${count} validation ${noun} detected: ${violations.join('; ')}`);
}

/** Builds a ValidationException for a rule that spans members, with free text as SageMaker sends. */
export function validationError(message: string): ServiceError {
  return new ServiceError(400, 'ValidationException', message);
}

/** Builds the error AWS sends when a member has the wrong JSON type or the body is not JSON. */
export function serializationError(message: string): ServiceError {
  return new ServiceError(400, 'SerializationException', message);
}

export function resourceInUse(message: string): ServiceError {
  return new ServiceError(400, 'ResourceInUse', message);
}

export function resourceNotFound(message: string): ServiceError {
  return new ServiceError(400, 'ResourceNotFound', message);
}

export function resourceLimitExceeded(message: string): ServiceError {
  return new ServiceError(400, 'ResourceLimitExceeded', message);
}
