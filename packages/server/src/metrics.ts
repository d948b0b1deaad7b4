import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * What a node reports at `/metrics` (Prometheus text format): its connections, the messages it
 * took and the updates it delivered, how long deliveries, database commits and a round trip to
 * the bus take, and the catch-ups it served; plus Node.js's own (CPU, memory, event-loop delay). One registry per
 * node, so that several in one process (tests) do not mix.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Deliveries since the last scrape: a plain add on the fan-out path, counted at scrape time. */
  private deliveredSinceScrape = 0;

  readonly connections = new Gauge({
    name: 'tokki_connections',
    help: 'Authenticated WebSocket connections open on this node.',
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: 'tokki_messages_sent_total',
    help: 'Messages acknowledged to their senders by this node (forwarded copies included).',
    registers: [this.registry],
  });

  private readonly updatesDelivered = new Counter({
    name: 'tokki_updates_delivered_total',
    help: 'Updates written to connections of this node, live and in catch-up.',
    registers: [this.registry],
    collect: () => {
      this.updatesDelivered.inc(this.deliveredSinceScrape);
      this.deliveredSinceScrape = 0;
    },
  });

  readonly deliverySeconds = new Histogram({
    name: 'tokki_delivery_seconds',
    help: 'From the start of the write that committed an update to its frames being handed to the connections here.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly commitSeconds = new Histogram({
    name: 'tokki_db_commit_seconds',
    help: 'Time to run and commit one batch of writes in the database.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly catchUps = new Counter({
    name: 'tokki_catch_ups_total',
    help: 'Connections that caught up from their last pts (resume) or were told to reload.',
    labelNames: ['mode'] as const,
    registers: [this.registry],
  });

  /** @param busRoundTrip seconds for a round trip to the bus (0 for the in-process bus). */
  constructor(busRoundTrip: () => Promise<number> = async () => 0) {
    collectDefaultMetrics({ register: this.registry });
    const bus = new Gauge({
      name: 'tokki_bus_round_trip_seconds',
      help: 'A round trip to the bus (NATS), measured at scrape time; 0 for one node.',
      registers: [this.registry],
      collect: async () => {
        bus.set(await busRoundTrip().catch(() => Number.NaN));
      },
    });
  }

  /** `count` updates written to connections (called once per frame sent to each device). */
  delivered(count = 1): void {
    this.deliveredSinceScrape += count;
  }
}
