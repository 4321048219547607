import { z } from 'zod';
import { toFieldErrors, type FieldError } from '../requests/schema';

/**
 * Turns zod issues on an API input other than the CreateApp input (a quota policy, a query
 * string, a direct invocation) into field errors. It extends `toFieldErrors` with number bounds
 * (rules `minimum` and `maximum`), an unknown direct-invocation action (rule `enum`), and names
 * `inputName` in the message of an unknown member.
 */
export function fieldErrorsOf(error: z.ZodError, input: unknown, inputName: string): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const field = issue.path.map(String).join('.') || '(body)';
    if (issue.code === 'too_small' && issue.origin === 'number') {
      return [{ field, rule: 'minimum', message: `must be at least ${String(issue.minimum)}` }];
    }
    if (issue.code === 'too_big' && issue.origin === 'number') {
      return [{ field, rule: 'maximum', message: `must be at most ${String(issue.maximum)}` }];
    }
    if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
      return [{ field, rule: 'enum', message: `must be one of ${issue.options.map(String).join(', ')}` }];
    }

    return toFieldErrors(new z.ZodError([issue]), input).map((detail) =>
      detail.rule === 'unknownField' ? { ...detail, message: `is not a member of the ${inputName}` } : detail,
    );
  });
}
