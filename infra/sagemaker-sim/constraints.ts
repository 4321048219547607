/**
 * Member checks in the style of AWS request validation. Each failed constraint adds one violation
 * `Value 'x' at 'memberPath' failed to satisfy constraint: …`, and a request with any violation is
 * rejected with all of them. Member paths are camelCase and dotted, and list members read
 * `tags.1.member.key` (1-based), as AWS prints them.
 *
 * A member with the wrong JSON type fails at once with SerializationException, as the service does
 * before it checks constraints.
 */
import { serializationError, validationErrors } from './errors';

export interface StringConstraints {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  /** Model pattern (unanchored); it must match the whole value. */
  pattern?: string;
  enumValues?: readonly string[];
}

export interface IntegerConstraints {
  required?: boolean;
  min?: number;
  max?: number;
}

export interface ListConstraints {
  required?: boolean;
  minLength?: number;
  maxLength?: number;
}

const compiledPatterns = new Map<string, RegExp>();

/** Compiles a model pattern for a full-string match; the `u` flag enables `\p{…}` classes. */
function fullMatchRegExp(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${pattern})$`, 'u');
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** Prints a pattern as AWS messages do, with a leading `^`. */
function displayPattern(pattern: string): string {
  return pattern.startsWith('^') ? pattern : `^${pattern}`;
}

function displayValue(value: unknown): string {
  if (value === undefined || value === null) {
    return 'null';
  }
  if (typeof value === 'string') {
    return `'${value}'`;
  }
  return `'${JSON.stringify(value)}'`;
}

function jsonTypeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return 'array';
  }
  return value === null ? 'null' : typeof value;
}

function wrongType(path: string, expected: string, value: unknown): never {
  throw serializationError(`Expected ${expected} at '${path}' but found ${jsonTypeOf(value)}.`);
}

/** Collects the violations of one request and throws them as a single ValidationException. */
export class Violations {
  private readonly messages: string[] = [];

  add(value: unknown, path: string, constraint: string): void {
    this.messages.push(`Value ${displayValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  throwIfAny(): void {
    if (this.messages.length > 0) {
      throw validationErrors(this.messages);
    }
  }

  string(value: unknown, path: string, constraints: StringConstraints): string | undefined {
    if (value === undefined || value === null) {
      if (constraints.required === true) {
        this.add(null, path, 'Member must not be null');
      }
      return undefined;
    }
    if (typeof value !== 'string') {
      wrongType(path, 'a string', value);
    }

    // Smithy measures string length in Unicode code points, not UTF-16 code units.
    const length = [...value].length;
    if (constraints.minLength !== undefined && length < constraints.minLength) {
      this.add(value, path, `Member must have length greater than or equal to ${constraints.minLength}`);
    }
    if (constraints.maxLength !== undefined && length > constraints.maxLength) {
      this.add(value, path, `Member must have length less than or equal to ${constraints.maxLength}`);
    }
    if (constraints.pattern !== undefined && !fullMatchRegExp(constraints.pattern).test(value)) {
      this.add(value, path, `Member must satisfy regular expression pattern: ${displayPattern(constraints.pattern)}`);
    }
    if (constraints.enumValues !== undefined && !constraints.enumValues.includes(value)) {
      this.add(value, path, `Member must satisfy enum value set: [${constraints.enumValues.join(', ')}]`);
    }
    return value;
  }

  integer(value: unknown, path: string, constraints: IntegerConstraints): number | undefined {
    if (value === undefined || value === null) {
      if (constraints.required === true) {
        this.add(null, path, 'Member must not be null');
      }
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      wrongType(path, 'an integer', value);
    }

    if (constraints.min !== undefined && value < constraints.min) {
      this.add(String(value), path, `Member must have value greater than or equal to ${constraints.min}`);
    }
    if (constraints.max !== undefined && value > constraints.max) {
      this.add(String(value), path, `Member must have value less than or equal to ${constraints.max}`);
    }
    return value;
  }

  boolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) {
      return undefined;
    }
    if (typeof value !== 'boolean') {
      wrongType(path, 'a boolean', value);
    }
    return value;
  }

  list(value: unknown, path: string, constraints: ListConstraints): unknown[] | undefined {
    if (value === undefined || value === null) {
      if (constraints.required === true) {
        this.add(null, path, 'Member must not be null');
      }
      return undefined;
    }
    if (!Array.isArray(value)) {
      wrongType(path, 'a list', value);
    }

    if (constraints.minLength !== undefined && value.length < constraints.minLength) {
      this.add(value, path, `Member must have length greater than or equal to ${constraints.minLength}`);
    }
    if (constraints.maxLength !== undefined && value.length > constraints.maxLength) {
      this.add(value, path, `Member must have length less than or equal to ${constraints.maxLength}`);
    }
    return value;
  }

  structure(value: unknown, path: string, required = false): Record<string, unknown> | undefined {
    if (value === undefined || value === null) {
      if (required) {
        this.add(null, path, 'Member must not be null');
      }
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      wrongType(path, 'an object', value);
    }
    return value as Record<string, unknown>;
  }
}

/** Returns the request body as an object, or throws SerializationException. */
export function requestObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw serializationError(`Expected a JSON object as the request body but found ${jsonTypeOf(body)}.`);
  }
  return body as Record<string, unknown>;
}
