import fc from 'fast-check';
import type { Message, ResponseFrame } from '@tokki/protocol';
import { describe, expect, it } from 'vitest';
import { DirectTracker } from './direct-tracker.js';

type Outcome = 'delivered' | 'ackedOnly' | 'error' | 'unanswered';

const message = (clientMsgId: string, seq: number): Message => ({
  chatId: 'c_1',
  seq,
  senderId: 'u_a',
  clientMsgId,
  text: `${clientMsgId} hi`,
  createdAt: 0,
  editedAt: null,
  deletedAt: null,
});
const ack = (id: number, clientMsgId: string, seq: number): ResponseFrame => ({
  type: 'res',
  id,
  result: { message: message(clientMsgId, seq) },
});

describe('DirectTracker', () => {
  it('counts acks, deliveries, errors and losses whatever order they arrive in', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Outcome>('delivered', 'ackedOnly', 'error', 'unanswered'), {
          maxLength: 60,
        }),
        fc.nat({ max: 5 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (outcomes, strays, randomness) => {
          const tracker = new DirectTracker();
          const step = tracker.newStep();
          const events: { order: number; run: () => void }[] = [];
          const at = (send: number) => events.length + send;
          outcomes.forEach((outcome, i) => {
            const id = `m${i}`;
            tracker.sent(step, {
              clientMsgId: id,
              chatId: 'c_1',
              recipientKey: 'b',
              intendedAt: 0,
            });
            const later = (run: () => void) => events.push({ order: randomness.next().value, run });
            if (outcome === 'delivered' || outcome === 'ackedOnly')
              later(() => tracker.answered(id, ack(i, id, i + 1), at(i)));
            if (outcome === 'delivered')
              later(() => tracker.received('b', message(id, i + 1), at(i)));
            if (outcome === 'error')
              later(() =>
                tracker.answered(
                  id,
                  { type: 'res', id: i, error: { code: 'INTERNAL', message: 'x' } },
                  1,
                ),
              );
          });
          for (let i = 0; i < strays; i++)
            events.push({
              order: 0.5,
              run: () => tracker.received('b', message(`stray${i}`, 1), 1),
            });
          events.sort((x, y) => x.order - y.order).forEach((event) => event.run());

          const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length;
          expect(step.sent).toBe(outcomes.length);
          expect(step.acked).toBe(count('delivered') + count('ackedOnly'));
          expect(step.delivered).toBe(count('delivered'));
          expect(step.errors).toBe(count('error'));
          expect(step.open).toBe(count('ackedOnly') + count('unanswered'));
          expect(step.ackLatency.count).toBe(step.acked);
          expect(step.deliveryLatency.count).toBe(step.delivered);
          expect(tracker.acked).toHaveLength(step.acked);
          expect(tracker.undelivered()).toBe(count('ackedOnly'));
          expect(tracker.unanswered()).toBe(count('unanswered'));
          expect(tracker.unexpected).toBe(strays);
        },
      ),
    );
  });

  it('flags a delivery to the wrong device, a repeat, and a seq that differs from the ack', () => {
    const tracker = new DirectTracker();
    const step = tracker.newStep();
    tracker.sent(step, { clientMsgId: 'a', chatId: 'c_1', recipientKey: 'b', intendedAt: 0 });
    tracker.received('c', message('a', 1), 1);
    tracker.received('b', message('a', 1), 2);
    tracker.received('b', message('a', 1), 3);
    expect(tracker.unexpected).toBe(2);
    tracker.answered('a', ack(1, 'a', 2), 4);
    expect(tracker.unexpected).toBe(3);
    expect(step.delivered).toBe(1);
    expect(step.deliveryLatency.percentile(100)).toBe(2);
    expect(step.ackLatency.percentile(100)).toBe(4);
  });
});
