/**
 * Milliseconds on the system-wide monotonic clock (CLOCK_MONOTONIC through libuv), the same in
 * every process on the machine: a time taken in one generator can be compared with a time taken
 * in another, or in the coordinator. (`performance.now()` counts from each process's own start.)
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
