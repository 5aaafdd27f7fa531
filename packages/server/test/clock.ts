/** A clock tests move by hand (`config.now`), so limits and back-offs are checked without waiting. */
export function manualClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}
