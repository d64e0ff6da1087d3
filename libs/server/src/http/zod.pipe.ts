import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a body or query against a contract; a 400 names every offending field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw invalidRequest(result.error.issues);
  }
}

/** A 400 naming every offending field, `prefix` first when the value checked sat inside the request. */
export function invalidRequest(found: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): BadRequestException {
  const issues = found.map((i) => ({
    path: [...prefix, ...i.path].map(String).join('.') || '(body)',
    message:
      i.code === 'unrecognized_keys'
        ? `has unknown field(s): ${i.keys.join(', ')}`
        : / received undefined$/.test(i.message)
          ? 'is required'
          : i.message.replace(/^Invalid input: /, ''),
  }));
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `The request is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}.`,
    issues,
  });
}
