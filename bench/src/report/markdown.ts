import { CONTENDED_PERCENT, type Contention } from '../scenarios/context.js';
import type { BenchResults, TargetCheck } from './results.js';
import type { ProfileSummary } from './profile.js';

const int = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : Math.round(value).toLocaleString('en');
const ms = (value: number | null | undefined) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value >= 100
      ? `${Math.round(value).toLocaleString('en')} ms`
      : `${value.toFixed(value >= 10 ? 1 : 2)} ms`;
const pct = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value)} %`);

function table(header: string[], rows: string[][], align?: string[]): string {
  const sep = align ?? header.map(() => '---');
  return [header, sep, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

function measured(check: TargetCheck): string {
  if (check.measured === null) return '–';
  if (check.unit === 'ms') return ms(check.measured);
  if (check.unit === 'B') return `${(check.measured / 1024).toFixed(1)} KiB`;
  return `${int(check.measured)}${check.unit}`;
}

function verdict(check: TargetCheck): string {
  const mark = check.met === null ? 'n/a' : check.met ? '✅ met' : '❌ not met';
  return check.note ? `${mark} (${check.note})` : mark;
}

const KNEE_REASONS: Record<string, string> = {
  throughput: 'under 90 % of it acked or delivered',
  errors: 'errors',
  'left-overs': 'sends still unanswered or undelivered after the drain',
  latency: 'p99 over the knee limit',
};

function contentionNote(contention: Contention): string {
  const waiting = contention.serverWaitingForCpuPercent;
  if (waiting === null) return '';
  const cores = contention.coresBusyPercent?.map((busy) => pct(busy)).join(' / ') ?? '–';
  const others =
    contention.othersPercent === null ? '' : `, other processes ${pct(contention.othersPercent)}`;
  const flag = contention.contended ? ' † contended: pessimistic' : '';
  return ` Server waiting for a CPU ${pct(waiting)} of the time${others}, cores busy ${cores}${flag}.`;
}

/** The run as Markdown: targets first, then each scenario's detail. */
export function markdownReport(results: BenchResults): string {
  const out: string[] = [];
  const db =
    results.database.dialect === 'sqlite'
      ? `SQLite on ${results.database.details.filesystem ?? '?'}`
      : `PostgreSQL ${results.database.details.server_version ?? ''}`.trim();
  const m = results.machine;
  const nodes =
    results.nodes > 1 || results.bus
      ? `, ${results.nodes} node${results.nodes > 1 ? 's' : ''} on NATS` +
        (results.bus ? ` (${results.bus.version})` : '')
      : '';
  out.push(
    `## Tokki bench — ${results.mode} run, ${db}${nodes}`,
    '',
    `${results.startedAt}, ${Math.round(results.durationSeconds)} s, load average ` +
      `${results.loadAverage.atStart ?? '?'} → ${results.loadAverage.atEnd ?? '?'}. ` +
      `${m.cpuModel}, ${m.cores} cores, ` +
      `${m.memoryGiB} GiB, Node ${m.nodeVersion}. ${results.cpus.note}; ${results.generators} generator ` +
      `processes. Server ${results.server.git ? `at ${results.server.git.commit}${results.server.git.dirty ? ' (with uncommitted changes)' : ''}` : results.server.cli}` +
      `${results.server.profiled ? ', under --cpu-prof (slower)' : ''}.`,
    '',
    table(
      ['scenario', 'metric', 'measured', 'target', ''],
      results.targets.map((check) => [
        check.scenario,
        check.metric,
        measured(check),
        check.target,
        verdict(check),
      ]),
      ['---', '---', '---:', '---', '---'],
    ),
  );
  if (results.failures.length) {
    out.push('', '**Failed scenarios**', '');
    for (const failure of results.failures) out.push(`- ${failure.scenario}: ${failure.error}`);
  }
  out.push(
    '',
    `Setup: ${int(results.seeding.users)} users signed in through the API in ` +
      `${results.seeding.seconds} s (${int(results.seeding.usersPerSec)}/s). ` +
      `Lost ${results.lost}, duplicates ${results.duplicates}, errors ${results.errors}.`,
  );

  const { idle, direct, group, catchup, secret } = results;
  if (idle) {
    out.push(
      '',
      '### idle',
      '',
      `${int(idle.connections)} devices connected and synced (${idle.failed} failed) in ` +
        `${idle.connectSeconds} s (${int(idle.connectsPerSec)}/s; p50 ${ms(idle.connectP50Ms)}, ` +
        `p99 ${ms(idle.connectP99Ms)} each). Server RSS ${int((idle.rssBeforeBytes ?? NaN) / 2 ** 20)} → ` +
        `${int((idle.rssAfterBytes ?? NaN) / 2 ** 20)} MiB: ${int(idle.bytesPerConnection)} bytes per ` +
        `connection; ${int(idle.serverOpenFiles)} open files.`,
    );
  }
  if (direct) {
    const postgres = results.database.dialect === 'postgres';
    const several = results.nodes > 1;
    const bus = results.bus !== null;
    const knee =
      direct.steps.find((s) => s.kind === 'sweep' && s.saturated && !s.contended) ??
      direct.steps.find((s) => s.kind === 'sweep' && s.saturated);
    out.push(
      '',
      '### direct',
      '',
      `${int(direct.pairs)} pairs of online users in 1:1 chats, open-loop sends; latency from the ` +
        `intended send time to the recipient's receipt. Capacity ${int(direct.ackedPerSec)} acked/s, ` +
        `${int(direct.deliveredPerSec)} delivered/s` +
        (knee
          ? `; past the knee at ${int(knee.offeredPerSec)}/s offered (${knee.saturatedBy
              .map((why) => KNEE_REASONS[why] ?? why)
              .join(', ')}).`
          : '; kept up with every rate offered.') +
        ` Stored: ${int(direct.store.checked)} acks checked against the database, ` +
        `${direct.store.missing} missing, ${direct.store.duplicated} duplicated; ` +
        `${direct.undelivered} undelivered.`,
      ...(several
        ? [
            '',
            `${results.nodes} nodes: the two devices of every 1:1 chat are connected to different ` +
              'nodes, so every message crosses from the node that commits it to the ' +
              "recipient's through NATS. Users and chats were created through node 0. Only node " +
              '0 is profiled.',
          ]
        : []),
      ...(results.mode === 'quick'
        ? [
            '',
            'Quick run: a fresh, small database and 2-second steps. The server does more work ' +
              'per message as its database grows (its pages no longer fit the cache), so the ' +
              "full run's capacity is the one to compare with the target.",
          ]
        : []),
      '',
      table(
        [
          'offered/s',
          'acked/s',
          'delivered/s',
          'p50',
          'p95',
          'p99',
          'p99.9',
          'max',
          'ack p99',
          'errors',
          several ? 'nodes CPU (main thread)' : 'server CPU (main thread)',
          several ? 'nodes waiting for a CPU' : 'server waiting for a CPU',
          "others' CPU",
          ...(bus ? ['NATS CPU'] : []),
          ...(postgres ? ['PostgreSQL CPU'] : []),
          'cores busy',
          'generators CPU (loop delay p99)',
        ],
        direct.steps.map((s) => [
          `${int(s.offeredPerSec)}${s.kind === 'target' ? ' (70 %)' : ''}${s.saturated ? ' ⚠' : ''}${s.contended ? ' †' : ''}`,
          int(s.ackedPerSec),
          int(s.deliveredPerSec),
          ms(s.latency.p50),
          ms(s.latency.p95),
          ms(s.latency.p99),
          ms(s.latency.p999),
          ms(s.latency.max),
          ms(s.ackLatency.p99),
          int(s.errors + s.outstanding),
          s.nodes
            .map((node) =>
              node ? `${pct(node.cpuPercent)} (${pct(node.mainThreadCpuPercent)})` : '–',
            )
            .join(' + '),
          s.nodes.map((node) => pct(node?.mainThreadRunQueuePercent)).join(' / '),
          pct(s.othersPercent ?? undefined),
          ...(bus ? [pct(s.busCpuPercent ?? undefined)] : []),
          ...(postgres ? [pct(s.databaseCpuPercent ?? undefined)] : []),
          s.coresBusyPercent?.map((busy) => pct(busy)).join(' / ') ?? '–',
          s.generators.map((g) => `${pct(g.cpuPercent)} (${ms(g.loopDelayP99Ms)})`).join(' + '),
        ]),
        ['---:', ...Array(14 + (bus ? 1 : 0) + (postgres ? 1 : 0)).fill('---:')],
      ),
      '',
      '⚠ = past the knee: under 90 % of the offered rate, errors, left-overs, or p99 over the knee ' +
        'limit. † = contended: processes outside the benchmark took more than ' +
        `${CONTENDED_PERCENT} % of a core during the step, so its figures are ` +
        "pessimistic. CPU columns are percent of one core over the step; the server's includes " +
        'its SQLite write thread' +
        (several ? ', and the nodes are listed one by one, node 0 first, not added up' : '') +
        '. "Waiting for a CPU" is time the server\'s main thread was ' +
        'runnable but not running: behind the generators, its own threads or other processes. ' +
        'Cores busy counts every process, ours or not.',
    );
  }
  if (group) {
    out.push(
      '',
      '### group',
      '',
      `One group, ${int(group.members)} members online. Single messages (${group.messages.length}): ` +
        `time until the last member has it p50 ${ms(group.timeToLastP50Ms)}, worst ` +
        `${ms(group.timeToLastMaxMs)}, ${int(group.deliveriesPerSec)} deliveries/s (median). Burst of ` +
        `${group.burst.messages}: ${int(group.burst.deliveries)} deliveries in ${group.burst.seconds} s = ` +
        `${int(group.burst.deliveriesPerSec)} deliveries/s. Missing deliveries ${group.missingDeliveries}, ` +
        `missing from the database ${group.store.missing}.` +
        (group.aborted ? ` Stopped early: ${group.aborted}.` : '') +
        contentionNote(group.contention),
    );
  }
  if (catchup) {
    out.push(
      '',
      '### catch-up',
      '',
      `Devices that each missed ${int(catchup.messagesPerDevice)} messages in ` +
        `${int(catchup.chatsPerDevice)} chats reconnect with their old pts, in waves of increasing ` +
        `size (${int(catchup.messagesSent)} messages in ${int(catchup.chats)} chats in all). ` +
        `Time from opening the socket until synced with every missed update. Missing updates ` +
        `${catchup.missingUpdates}, duplicates ${catchup.duplicateUpdates}, failed ${catchup.failed}.`,
      '',
      table(
        [
          'at once',
          'p50',
          'p99',
          'max',
          'all current after',
          'updates/s',
          'server waiting for a CPU',
          "others' CPU",
          'cores busy',
          'generators CPU (loop delay p99)',
        ],
        catchup.waves.map((wave) => [
          // Contention over a few milliseconds is noise, not a finding.
          `${int(wave.devices)}${wave.allCurrentMs >= 100 && wave.contention.contended ? ' †' : ''}`,
          ms(wave.timeToCurrent.p50),
          ms(wave.timeToCurrent.p99),
          ms(wave.timeToCurrent.max),
          ms(wave.allCurrentMs),
          int(wave.updatesPerSec),
          pct(wave.contention.serverWaitingForCpuPercent ?? undefined),
          pct(wave.contention.othersPercent ?? undefined),
          wave.contention.coresBusyPercent?.map((busy) => pct(busy)).join(' / ') ?? '–',
          wave.generators.map((g) => `${pct(g.cpuPercent)} (${ms(g.loopDelayP99Ms)})`).join(' + '),
        ]),
        ['---:', ...Array(9).fill('---:')],
      ),
    );
  }
  if (secret) {
    const row = (name: string, kind: typeof secret.plain) => [
      name,
      int(kind.messages),
      int(kind.msgsPerSec),
      ms(kind.delivery.p50),
      ms(kind.delivery.p99),
      kind.serverCpuUsPerMsg === null ? '–' : `${int(kind.serverCpuUsPerMsg)} µs`,
      `${int(kind.clientCpuUsPerMsg)} µs`,
    ];
    out.push(
      '',
      '### secret',
      '',
      `${int(secret.pairs)} pairs of devices, each with a 1:1 chat and a secret chat, send the same ` +
        'texts one at a time per pair, every pair at once; delivery is send → the other device has ' +
        'it (decrypted and stored, for secret). Both ends run in the coordinator, so its CPU is the ' +
        `MLS work of two devices per message. Secret messages never decrypted: ${secret.missing}.` +
        contentionNote(secret.contention),
      '',
      table(
        ['chat', 'messages', 'msgs/s', 'p50', 'p99', 'server CPU / msg', 'clients CPU / msg'],
        [row('plain', secret.plain), row('secret', secret.secret)],
        ['---', ...Array(6).fill('---:')],
      ),
    );
  }
  if (results.profile) {
    out.push(
      ...profileSection(
        `server CPU profile over ${results.profile.window}`,
        results.profile,
        '`(idle)` is the event loop waiting for I/O.',
      ),
    );
  }
  if (results.writeThreadProfile) {
    out.push(
      ...profileSection(
        `SQLite write thread's CPU profile over ${results.writeThreadProfile.window}`,
        results.writeThreadProfile,
        '`(idle)` is the thread waiting for a batch; `COMMIT` includes its fsync.',
      ),
    );
  }
  return `${out.join('\n')}\n`;
}

function profileSection(title: string, p: ProfileSummary, idle: string): string[] {
  const rows = (entries: ProfileSummary['self']) =>
    entries.map((e) => [`\`${e.name}\``, int(e.ms), `${e.percent}`]);
  return [
    '',
    `### ${title} (${int(p.sampledMs)} ms sampled)`,
    '',
    'Native work — SQLite statements, fsync, socket writes — is counted to the JavaScript ' +
      `function that called it; ${idle}`,
    '',
    table(
      ['self time by area', 'ms', '%'],
      p.areas.map((a) => [a.name, int(a.ms), `${a.percent}`]),
      ['---', '---:', '---:'],
    ),
    '',
    table(['self time by function', 'ms', '%'], rows(p.self), ['---', '---:', '---:']),
    '',
    table(['Tokki functions by time on the stack (inclusive)', 'ms', '%'], rows(p.inclusive), [
      '---',
      '---:',
      '---:',
    ]),
  ];
}
