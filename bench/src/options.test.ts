import { describe, expect, it } from 'vitest';
import { parseOptions, type BenchOptions } from './options.js';

const parse = (...argv: string[]) => parseOptions(argv) as BenchOptions;

describe('--nodes', () => {
  it('is one node on its in-process bus by default', () => {
    expect(parse()).toMatchObject({
      nodes: 1,
      bus: false,
      scenarios: ['idle', 'direct', 'group', 'catchup', 'secret'],
    });
    expect(parse('--nats', '--db', 'postgres')).toMatchObject({ nodes: 1, bus: true });
  });

  it('runs the direct scenario across nodes on PostgreSQL, and says so when asked for more', () => {
    expect(parse('--nodes', '2', '--db', 'postgres')).toMatchObject({
      nodes: 2,
      bus: true,
      scenarios: ['direct'],
    });
    expect(() => parse('--nodes', '2')).toThrow('needs --db postgres');
    expect(() => parse('--nodes', '2', '--db', 'postgres', '--scenarios', 'direct,group')).toThrow(
      'runs only the direct scenario, not group',
    );
    expect(() => parse('--nodes', '1.5', '--db', 'postgres')).toThrow('whole number');
  });
});
