/**
 * Strict zod objects whose errors a user can act on: an unknown key is an error that names
 * the keys allowed there (so a misspelt field is neither ignored nor a guessing game), and
 * a value that is not an object at all can say what was expected there. Scenario files,
 * their synthetic workloads and conversation records all read their objects through this.
 */
import { z } from 'zod';

/**
 * A strict object of `shape`. `notAnObject`: the message when the value is not an object
 * (default: zod's own, "expected object, received ..."). Only these two issues are the
 * object's own; a field's errors are its schema's.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, notAnObject?: string) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed})`
        : issue.code === 'invalid_type'
          ? notAnObject
          : undefined,
  });
}
