import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ApiError } from '../errors.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Checks a value against a protocol schema, compiled once; throws INVALID_PARAMS on mismatch. */
export function validate<T>(schema: TSchema, value: unknown, what = 'params'): T {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(value)) return value as T;
  const first = check.Errors(value).First();
  const where = first?.path ? ` at ${first.path}` : '';
  throw new ApiError(
    'INVALID_PARAMS',
    `Invalid ${what}${where}: ${first?.message ?? 'wrong shape'}.`,
  );
}
