import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadingPts } from './device.js';

describe('leadingPts', () => {
  it('reads the pts of any update frame the server writes, and nothing else', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.string(), (pts, text) => {
        const update = { kind: 'message.new', message: { text } };
        // The server's updateFrame(): a template, not JSON.stringify of an object.
        const frame = `{"type":"update","pts":${pts},"update":${JSON.stringify(update)}}`;
        expect(leadingPts(Buffer.from(frame))).toBe(pts);
      }),
    );
    for (const other of [
      '{"type":"synced","pts":5}',
      '{"type":"res","id":1,"result":{}}',
      '{"type":"update","pts":"5"}',
      '{"type":"update","pts":}',
      '{"type":"update","pts":',
    ])
      expect(leadingPts(Buffer.from(other))).toBeUndefined();
  });
});
