// deserialization.json: the variable-length integer headers of RFC 9420 §2.1.2.
import { determineLength } from 'ts-mls/codec/variableLength.js';
import { fromHex, same } from './check.js';

export interface DeserializationVector {
  vlbytes_header: string;
  length: number;
}

export function checkDeserialization(v: DeserializationVector): Promise<void> {
  same(
    `length of header ${v.vlbytes_header}`,
    determineLength(fromHex(v.vlbytes_header)).length,
    v.length,
  );
  return Promise.resolve();
}
