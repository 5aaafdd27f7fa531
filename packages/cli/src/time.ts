/** Local wall-clock times as the terminal client prints them. */

const two = (n: number) => String(n).padStart(2, "0");

/** `HH:MM`, the stamp on every chat line. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** `YYYY-MM-DD HH:MM`. */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clock(ms)}`;
}
