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

/** Parses `150ms`, `2s`, `500us`, `1.5m`, `0`; returns microseconds or `undefined` if malformed. */
export function parseDurationUs(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) && text >= 0 ? Math.round(text) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|min|h)?\s*$/.exec(text);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  if (unit === undefined) return amount === 0 ? 0 : undefined;
  return Math.round(amount * (unitsUs[unit] ?? Number.NaN));
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
