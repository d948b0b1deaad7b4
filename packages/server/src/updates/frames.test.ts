import { describe, expect, it } from 'vitest';
import { updateFrame, updatePayload, updatesFrame } from './frames.js';

describe('update frames', () => {
  it('give back the payload they wrap, whatever the pts and the text', () => {
    const payloads = [
      '{"kind":"message.new","message":{"text":"토끼 \\"}\\" うさぎ"}}',
      '{}',
      '{"kind":"chat.read","readSeq":1}',
    ];
    for (const pts of [0, 7, 1234, 9_007_199_254_740_991]) {
      for (const payload of payloads) {
        const frame = updateFrame(pts, payload);
        expect(JSON.parse(frame)).toEqual({ type: 'update', pts, update: JSON.parse(payload) });
        expect(updatePayload(frame, pts)).toBe(payload);
      }
    }
  });
});

describe('catch-up frames', () => {
  it('splice stored payloads into one valid frame', () => {
    const rows = [
      { pts: 3, payload: '{"kind":"chat.read","readSeq":1}' },
      { pts: 9, payload: '{"kind":"message.new","message":{"text":"うさぎ"}}' },
    ];
    expect(JSON.parse(updatesFrame(rows))).toEqual({
      type: 'updates',
      updates: rows.map(({ pts, payload }) => ({ pts, update: JSON.parse(payload) })),
    });
    expect(JSON.parse(updatesFrame([]))).toEqual({ type: 'updates', updates: [] });
  });
});
