/**
 * The protocol between the coordinator and its generator processes, over Node's IPC channel
 * (structured clone). The coordinator sends `call`s; a generator answers each with exactly one
 * `result` or `failure` carrying the call's id, and may push `event`s at any time. Generators hold
 * the WebSockets and do the timing; the coordinator seeds, decides and adds up.
 *
 * Every time is on the machine-wide monotonic clock (`monotonicMs`), so times from different
 * processes compare directly.
 */
import type { HistogramData } from '../stats/histogram.js';

/** One device to connect: a bench user's only device. */
export interface DeviceSpec {
  /** The coordinator's name for it, unique in the run (`u<n>`). */
  key: string;
  token: string;
  /** The node it connects to when several serve (`--nodes`); else the call's `url`. */
  url?: string;
  /** Last pts the device applied; absent for a fresh device (the server answers `reload`). */
  pts?: number;
  /** Count the device as current only once this many updates have arrived. */
  expectUpdates?: number;
}

export interface ConnectParams {
  /** `http://host:port` of the server: every device's unless it names its own node. */
  url: string;
  devices: DeviceSpec[];
  /** Loopback source addresses to spread the connections over (127.0.0.2, …). */
  localAddresses: string[];
  /** Connections being opened at once; the device count means "all at once". */
  concurrency: number;
  /** Per device: from opening the socket to current. */
  timeoutMs: number;
}

export interface ConnectReport {
  connected: number;
  failed: number;
  /** A few of the failures, for the log. */
  errors: string[];
  /** From opening the socket to `synced` with every expected update in hand. */
  timeToCurrent: HistogramData;
  /** Expected updates a synced device still lacked when it timed out: lost updates. */
  missingUpdates: number;
  /** Updates received at or below a pts the device already had. */
  duplicateUpdates: number;
  /** The pts each connected device was at once current (its `synced` pts). */
  pts: Record<string, number>;
  firstStartAt: number;
  lastCurrentAt: number;
  /** The generator's own load while connecting: a saturated generator stamps arrivals late. */
  usage: GeneratorUsage;
}

/** A 1:1 chat whose two devices both live in this generator. */
export interface DirectPair {
  chatId: string;
  a: string;
  b: string;
}

export interface DirectStepParams {
  index: number;
  /** Sends per second from this generator. */
  ratePerSec: number;
  durationMs: number;
  /** Longest wait for acks and deliveries after the last send. */
  drainTimeoutMs: number;
  /** Text length of each message in characters. */
  textLength: number;
}

export interface DirectStepReport {
  index: number;
  ratePerSec: number;
  startAt: number;
  /** Sends the schedule called for. */
  scheduled: number;
  sent: number;
  acked: number;
  /** Acked messages that reached their recipient. */
  delivered: number;
  /** Error responses, and sends whose connection closed before an answer. */
  errors: number;
  errorSamples: string[];
  /** Sends still unanswered, or acked but undelivered, when the drain gave up. */
  outstanding: number;
  lastAckAt: number;
  lastDeliveryAt: number;
  /** Intended send time → ack. */
  ackLatency: HistogramData;
  /** Intended send time → the recipient's receipt. */
  deliveryLatency: HistogramData;
  usage: GeneratorUsage;
}

/** An acknowledged message, for the check against the database. */
export interface AckedMessage {
  chatId: string;
  clientMsgId: string;
  seq: number;
}

export interface DirectFinishReport {
  acked: AckedMessage[];
  /** Acked messages their recipient never received. */
  undelivered: number;
  /** Deliveries of messages this generator never sent, or whose seq differs from the ack's. */
  unexpected: number;
  duplicateUpdates: number;
}

export interface GroupTrackParams {
  chatId: string;
  /** The members whose receipts count (the sender's own device is not one). */
  memberKeys: string[];
}

export interface GroupSendParams {
  senderKey: string;
  chatId: string;
  clientMsgIds: string[];
  textLength: number;
}

export interface GroupSent {
  clientMsgId: string;
  seq: number;
  sentAt: number;
  ackedAt: number;
  error?: string;
}

export interface GroupReceipts {
  seq: number;
  count: number;
  firstAt: number;
  lastAt: number;
}

export interface GroupReport {
  receipts: GroupReceipts[];
  duplicateUpdates: number;
}

/** CPU use of a generator over a step: whether the generator itself kept up. */
export interface GeneratorUsage {
  /** Percent of one core. */
  cpuPercent: number;
  /** Event-loop delay: a busy generator stamps receipts late. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** Every call: its params and what it answers. */
export interface Calls {
  connect: { params: ConnectParams; result: ConnectReport };
  /** Closes every connection of this generator. */
  disconnect: { params: Record<string, never>; result: { closed: number } };
  'direct.start': { params: { pairs: DirectPair[] }; result: Record<string, never> };
  'direct.step': { params: DirectStepParams; result: DirectStepReport };
  /** Waits for stragglers, then hands over every ack for the database check. */
  'direct.finish': { params: { timeoutMs: number }; result: DirectFinishReport };
  'group.track': { params: GroupTrackParams; result: Record<string, never> };
  'group.send': { params: GroupSendParams; result: GroupSent[] };
  'group.report': { params: Record<string, never>; result: GroupReport };
}

export type CallName = keyof Calls;

export type GeneratorEvent =
  /** Every tracked member in this generator has message `seq` of the group. */
  {
    kind: 'group.complete';
    chatId: string;
    seq: number;
    count: number;
    firstAt: number;
    lastAt: number;
  };

/** Coordinator → generator. */
export type ToGenerator = { type: 'call'; id: number; name: CallName; params: unknown };

/** Generator → coordinator. */
export type FromGenerator =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'failure'; id: number; message: string }
  | { type: 'event'; event: GeneratorEvent };
