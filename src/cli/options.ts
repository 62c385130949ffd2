/** Command-line figures of `compare` and `run --baseline`, parsed with messages that say what is allowed. */
import { badInput } from '../errors.js';

const PERCENT_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%?\s*$/;

/** "10%" or "10" -> 0.1; from 0 up to `max` percent. */
export function parsePercent(text: string, flag: string, max = 1000): number {
  const m = PERCENT_RE.exec(text);
  const value = m ? Number(m[1]) : Number.NaN;
  if (!Number.isFinite(value) || value > max) {
    throw badInput(`${flag} "${text}": expected a percentage from 0% to ${max}%, e.g. 10%`);
  }
  return value / 100;
}

/** A whole number from `min` to `max`. */
export function parseWhole(text: string, flag: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < min || Number(text) > max) {
    throw badInput(`${flag} "${text}": expected a whole number from ${min} to ${max}`);
  }
  return Number(text);
}
