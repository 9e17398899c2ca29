/**
 * A tree's nanosecond time as the seconds Node's utimes calls take. They take a double, so the whole seconds and
 * the fraction are converted apart (Number() of the nanoseconds alone would lose more); for present-day dates
 * the double still rounds to about 0.24 µs, the finest Node can set.
 */
export function secondsOf(ns: string): number {
  const value = BigInt(ns);
  return Number(value / 1_000_000_000n) + Number(value % 1_000_000_000n) / 1e9;
}
