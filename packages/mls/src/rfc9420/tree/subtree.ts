import { level } from "./math.js";

/** Whether node x is in the subtree under node s (s itself included). */
export function inSubtree(x: number, s: number): boolean {
  const half = 2 ** level(s) - 1;
  return x >= s - half && x <= s + half;
}
