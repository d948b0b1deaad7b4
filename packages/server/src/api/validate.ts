import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType, type TypeCheck } from '@sinclair/typebox/compiler';
import { MESSAGE_TEXT_TOO_LONG, type ErrorCode } from '@tokki/protocol';
import { ApiError } from '../errors.js';

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Checks a value against a protocol schema, compiled once; throws INVALID_PARAMS on mismatch. */
export function validate<T>(schema: TSchema, value: unknown, what = 'params'): T {
  let check = compiled.get(schema);
  if (!check) compiled.set(schema, (check = TypeCompiler.Compile(schema)));
  if (check.Check(value)) return value as T;
  const first = check.Errors(value).First();
  // A schema may name its own code for a text over its bound (MessageText: TEXT_TOO_LONG).
  const code = (first?.schema as { errorCode?: ErrorCode } | undefined)?.errorCode;
  if (first?.type === ValueErrorType.StringMaxLength && code === 'TEXT_TOO_LONG')
    throw new ApiError(code, MESSAGE_TEXT_TOO_LONG);
  const where = first?.path ? ` at ${first.path}` : '';
  throw new ApiError(
    'INVALID_PARAMS',
    `Invalid ${what}${where}: ${first?.message ?? 'wrong shape'}.`,
  );
}
