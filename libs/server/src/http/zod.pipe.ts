import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a body or query against a contract; a 400 names every offending field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => ({
      path: i.path.join('.') || '(body)',
      message:
        i.code === 'unrecognized_keys'
          ? `has unknown field(s): ${i.keys.join(', ')}`
          : / received undefined$/.test(i.message)
            ? 'is required'
            : i.message.replace(/^Invalid input: /, ''),
    }));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: `The request is not valid: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}.`,
      issues,
    });
  }
}
