import type { Message, ResponseFrame } from '@tokki/protocol';
import { Histogram } from '../stats/histogram.js';
import type { AckedMessage } from './protocol.js';

/** What one step of the direct scenario counted. */
export interface StepCounters {
  sent: number;
  acked: number;
  delivered: number;
  errors: number;
  errorSamples: string[];
  /** Sends not yet finished: unanswered, or acked and not yet delivered. */
  open: number;
  lastAckAt: number;
  lastDeliveryAt: number;
  ackLatency: Histogram;
  deliveryLatency: Histogram;
}

interface InFlight {
  step: StepCounters;
  chatId: string;
  recipientKey: string;
  intendedAt: number;
  /** Set by the ack. */
  seq: number | undefined;
  /** Set by the delivery, which may come before the ack. */
  deliveredSeq: number | undefined;
}

const MAX_ERROR_SAMPLES = 5;

/**
 * The bookkeeping of 1:1 sends: every send is in flight until it is both acknowledged to its
 * sender and received by its recipient, in either order (the server fans out before it answers).
 * Latencies count from the intended send time. Pure: no sockets, no clock.
 */
export class DirectTracker {
  private readonly inFlight = new Map<string, InFlight>();
  /** Every acknowledged message, for the database check. */
  readonly acked: AckedMessage[] = [];
  /** Deliveries of unknown messages, repeated deliveries, and ack/delivery seq mismatches. */
  unexpected = 0;

  newStep(): StepCounters {
    return {
      sent: 0,
      acked: 0,
      delivered: 0,
      errors: 0,
      errorSamples: [],
      open: 0,
      lastAckAt: 0,
      lastDeliveryAt: 0,
      ackLatency: new Histogram(),
      deliveryLatency: new Histogram(),
    };
  }

  sent(
    step: StepCounters,
    send: { clientMsgId: string; chatId: string; recipientKey: string; intendedAt: number },
  ): void {
    step.sent += 1;
    step.open += 1;
    this.inFlight.set(send.clientMsgId, {
      step,
      chatId: send.chatId,
      recipientKey: send.recipientKey,
      intendedAt: send.intendedAt,
      seq: undefined,
      deliveredSeq: undefined,
    });
  }

  /** The sender's answer: an ack with the stored message, an error, or null (connection lost). */
  answered(clientMsgId: string, frame: ResponseFrame | null, at: number): void {
    const send = this.inFlight.get(clientMsgId);
    if (!send) return;
    const { step } = send;
    const message = (frame?.result as { message?: Message } | undefined)?.message;
    if (!frame || frame.error || !message) {
      step.errors += 1;
      if (step.errorSamples.length < MAX_ERROR_SAMPLES) {
        step.errorSamples.push(
          frame?.error ? `${frame.error.code}: ${frame.error.message}` : 'connection closed',
        );
      }
      if (send.deliveredSeq !== undefined) this.unexpected += 1;
      this.finish(clientMsgId, send);
      return;
    }
    send.seq = message.seq;
    step.acked += 1;
    step.ackLatency.record(at - send.intendedAt);
    step.lastAckAt = Math.max(step.lastAckAt, at);
    this.acked.push({ chatId: send.chatId, clientMsgId, seq: message.seq });
    if (send.deliveredSeq !== undefined) {
      if (send.deliveredSeq !== message.seq) this.unexpected += 1;
      this.finish(clientMsgId, send);
    }
  }

  /**
   * A `message.new` update reached `deviceKey`; the sender's own echo is not a delivery. Updates
   * carry no clientMsgId (the server keeps it from other members): the runner puts it at the
   * start of the text instead (`taggedText`).
   */
  received(deviceKey: string, message: Message, at: number): void {
    const clientMsgId = tagOf(message.text);
    const send = this.inFlight.get(clientMsgId);
    if (
      !send ||
      send.recipientKey !== deviceKey ||
      send.chatId !== message.chatId ||
      send.deliveredSeq !== undefined
    ) {
      this.unexpected += 1;
      return;
    }
    const { step } = send;
    send.deliveredSeq = message.seq;
    step.delivered += 1;
    step.deliveryLatency.record(at - send.intendedAt);
    step.lastDeliveryAt = Math.max(step.lastDeliveryAt, at);
    if (send.seq !== undefined) {
      if (send.seq !== message.seq) this.unexpected += 1;
      this.finish(clientMsgId, send);
    }
  }

  /** Acknowledged messages whose recipient has not received them (yet). */
  undelivered(): number {
    let count = 0;
    for (const send of this.inFlight.values()) if (send.seq !== undefined) count += 1;
    return count;
  }

  /** Sends never answered (yet). */
  unanswered(): number {
    let count = 0;
    for (const send of this.inFlight.values()) if (send.seq === undefined) count += 1;
    return count;
  }

  private finish(clientMsgId: string, send: InFlight): void {
    this.inFlight.delete(clientMsgId);
    send.step.open -= 1;
  }
}

/** A message's text that starts with its clientMsgId, which the recipient's updates lack. */
export const taggedText = (clientMsgId: string, text: string) => `${clientMsgId} ${text}`;

const tagOf = (text: string) => {
  const space = text.indexOf(' ');
  return space < 0 ? text : text.slice(0, space);
};
