/**
 * Small formatting helpers shared by the text, Markdown and HTML reports.
 */
import { formatDuration } from "../sim/time.js";

/** Microseconds for people: `0`, `850us`, `12.5ms`, `3.2s`. */
export function formatDurationUs(timeUs: number): string {
  return formatDuration(timeUs);
}

/** A value as compact JSON (`null` for absent values), cut at `charsMax` characters. */
export function formatValue(value: unknown, charsMax = 120): string {
  const text = JSON.stringify(value ?? null) ?? "null";
  return text.length > charsMax ? `${text.slice(0, charsMax)}…` : text;
}
