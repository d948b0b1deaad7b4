import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sequencer } from './sequencer.js';

/** Batches of consecutive pts, each published by one of several nodes then announced. */
const batches = fc
  .array(
    fc.record({ size: fc.integer({ min: 1, max: 4 }), node: fc.integer({ min: 0, max: 2 }) }),
    {
      minLength: 1,
      maxLength: 12,
    },
  )
  .map((list) => {
    let pts = 0;
    return list.map(({ size, node }) => {
      const after = pts;
      pts += size;
      return { after, through: pts, node };
    });
  });

describe('Sequencer', () => {
  it('releases what several nodes publish in pts order, each once, whatever the interleaving', () => {
    fc.assert(
      fc.property(batches, fc.infiniteStream(fc.nat()), fc.boolean(), (list, choices, copies) => {
        const released: number[] = [];
        const sequencer = new Sequencer(0, { stallMs: 1e9, onStall: async () => {} });
        // Each node's stream stays in order (NATS keeps one publisher's order); the streams
        // interleave however the choices say.
        const streams = [0, 1, 2].map((node) =>
          list
            .filter((b) => b.node === node)
            .flatMap((b) => {
              const events: (() => void)[] = [];
              for (let pts = b.after + 1; pts <= b.through; pts++) {
                const add = () => sequencer.add(pts, `u ${pts}`, () => released.push(pts));
                events.push(add);
                // The same message on a second subject (a user's and a chat's) comes twice.
                if (copies) events.push(add);
              }
              events.push(() => sequencer.announce(b.after, b.through));
              return events;
            }),
        );
        const picks = choices[Symbol.iterator]();
        while (streams.some((s) => s.length > 0)) {
          const open = streams.filter((s) => s.length > 0);
          open[picks.next().value % open.length]!.shift()!();
        }
        const total = list.at(-1)!.through;
        expect(released).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(sequencer.position).toBe(total);
        expect(sequencer.waiting).toBe(false);
        sequencer.close();
      }),
    );
  });

  it('holds what comes after a missing batch, and asks for the gap after a while', async () => {
    const released: number[] = [];
    let stalledAt: number | undefined;
    const sequencer = new Sequencer(10, {
      stallMs: 20,
      onStall: async (position) => {
        stalledAt = position;
        // The gap, read from the log: what it published, then the position moves past it.
        sequencer.add(11, 'u 11', () => released.push(11));
        sequencer.skipTo(12);
      },
    });
    sequencer.add(5, 'late', () => released.push(5)); // before this node started: dropped
    sequencer.add(12, 'u 12', () => released.push(12));
    sequencer.announce(11, 12);
    expect(released).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stalledAt).toBe(10);
    expect(released).toEqual([11, 12]);
    // The dead node's messages arriving after all are not released twice.
    sequencer.add(11, 'u 11', () => released.push(11));
    expect(released).toEqual([11, 12]);
    sequencer.close();
  });
});
