import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { z } from 'zod';
import { ZodPipe } from './zod.pipe';

/**
 * The query string, validated against a contract. A custom decorator rather than `@Query(pipe)`:
 * OpenAPI then takes the parameters from the schema (see `ApiQueryOf`) instead of guessing them
 * from a TypeScript type that does not exist at run time.
 */
const validQuery = createParamDecorator((data: { contract: z.ZodType }, ctx: ExecutionContext) =>
  new ZodPipe(data.contract).transform(ctx.switchToHttp().getRequest<{ query: unknown }>().query),
);
// Wrapped: Nest would take a bare zod schema (it has a `transform` method) for a pipe, and an
// object whose only key is `schema` for its own validation options.
export const ValidQuery = (contract: z.ZodType) => validQuery({ contract });

/** Documents each field of a query contract as an OpenAPI query parameter. */
export function ApiQueryOf(schema: z.ZodObject): MethodDecorator {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, object>; required?: string[] };
  return applyDecorators(
    ...Object.entries(json.properties ?? {}).map(([name, prop]) =>
      ApiQuery({ name, required: (json.required ?? []).includes(name), schema: prop as never }),
    ),
  );
}
