/**
 * Virtual time. The simulator counts time as an integer number of microseconds; scenario files
 * and the command line speak in human units (`150ms`, `2s`, `1.5m`).
 */

const unitsUs: Readonly<Record<string, number>> = {
  us: 1,
  µs: 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  min: 60_000_000,
  h: 3_600_000_000,
};

/** One amount and its unit of a duration; `min` and `ms` before `m`, so that each reads whole. */
const part = /(\d+(?:\.\d+)?)\s*(µs|us|ms|min|h|m|s)\s*/y;

/**
 * Parses `150ms`, `2s`, `500us`, `1.5m`, `0`, and the compound forms reports write (`1m30s`,
 * `1h2m3.5s`: units from the largest down, each once); returns microseconds or `undefined` if
 * malformed.
 */
export function parseDurationUs(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? Math.round(text) : undefined;
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) === 0 ? 0 : undefined;
  let totalUs = 0;
  let lastUnitUs = Number.POSITIVE_INFINITY;
  part.lastIndex = 0;
  while (part.lastIndex < trimmed.length) {
    const match = part.exec(trimmed);
    if (match === null) return undefined;
    const unitUs = unitsUs[match[2] as string] as number;
    if (unitUs >= lastUnitUs) return undefined;
    lastUnitUs = unitUs;
    totalUs += Number(match[1]) * unitUs;
  }
  return trimmed === "" ? undefined : Math.round(totalUs);
}

/** Formats microseconds compactly for people: `0`, `850us`, `12.5ms`, `3.2s`. */
export function formatDuration(timeUs: number): string {
  if (!Number.isFinite(timeUs)) return "∞";
  if (timeUs === 0) return "0";
  const abs = Math.abs(timeUs);
  if (abs < 1_000) return `${timeUs}us`;
  if (abs < 1_000_000) return `${trim(timeUs / 1_000)}ms`;
  return `${trim(timeUs / 1_000_000)}s`;
}

/**
 * A length of time for people to read: hours, minutes and seconds, each when not zero, and below
 * a minute as `formatDuration` writes it: `100h`, `1h30m`, `1m30s`, `3s`, `1.5s`, `250ms`. For a
 * run's length, which `formatDuration` would give in seconds however long (`360000s` for 100h).
 */
export function formatSpan(timeUs: number): string {
  if (!Number.isFinite(timeUs) || Math.abs(timeUs) < 60_000_000) return formatDuration(timeUs);
  if (timeUs < 0) return `-${formatSpan(-timeUs)}`;
  const hours = Math.floor(timeUs / 3_600_000_000);
  const minutes = Math.floor((timeUs % 3_600_000_000) / 60_000_000);
  const restUs = timeUs % 60_000_000;
  return `${hours > 0 ? `${hours}h` : ""}${minutes > 0 ? `${minutes}m` : ""}${restUs > 0 ? formatDuration(restUs) : ""}`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(3)));
}

/**
 * A clock's rate for people, from its drift: `1.05` for 0.05, `0.93` for -0.07 (not the sum's
 * float, 0.9299999999999999).
 */
export function formatClockRate(drift: number): string {
  return String(Number((1 + drift).toPrecision(12)));
}
