/**
 * What the state strip shows of a node's description, read from what the protocol declares
 * (`Protocol.strip`, `Protocol.roles`): reports name no protocol and no role.
 *
 * The label is the first declared strip source that gives a value (a field's string, a list's
 * last entry or a map's last value, cut to its first word when declared so: a 3PC site's
 * `wait` or `precommit`, then `commit` or `abort` from its log), else the role. The colour is the
 * one declared for the label, else one from its place among the declared roles, else one from
 * its name.
 */
import type { DisplayDeclaration } from "../../display.js";

export interface StripBand {
  /** What the band says: a declared strip value or the role ("" when neither). */
  readonly label: string;
  readonly term: number | null;
}

type Description = Readonly<Record<string, unknown>> | null;

export function termOf(state: Description): number | null {
  return state !== null && typeof state.term === "number" ? state.term : null;
}

export function roleOf(state: Description): string | null {
  return state !== null && typeof state.role === "string" ? state.role : null;
}

/** The strip's band for a description (null: the node is down). */
export function stripBand(display: DisplayDeclaration, state: Description): StripBand {
  return { label: stripValue(display, state) ?? roleOf(state) ?? "", term: termOf(state) };
}

function stripValue(display: DisplayDeclaration, state: Description): string | null {
  if (state === null) return null;
  for (const source of display.strip?.sources ?? []) {
    let value = state[source.field];
    if (Array.isArray(value)) value = value[value.length - 1];
    else if (value !== null && typeof value === "object") {
      const values = Object.values(value);
      value = values[values.length - 1];
    }
    if (typeof value === "number" || typeof value === "boolean") value = String(value);
    if (typeof value !== "string" || value === "") continue;
    return source.firstWord === true ? (/^[^\s,(@]+/.exec(value)?.[0] ?? value) : value;
  }
  return null;
}

/** A term's colour (grey without one). */
export function termColour(term: number | null | undefined): string {
  if (term === null || term === undefined) return "#cfd8dc";
  return `hsl(${(term * 67 + 200) % 360}, 62%, 72%)`;
}

/** A band's colour: as declared, by place among the declared roles, or from the label's name. */
export function labelColour(display: DisplayDeclaration, label: string): string {
  if (label === "") return "#e0e0e0";
  const declared = display.strip?.colours?.[label] ?? display.roles?.colours?.[label];
  if (declared !== undefined) return declared;
  const position = display.roles?.names.indexOf(label) ?? -1;
  if (position >= 0) return `hsl(${(position * 67 + 30) % 360}, 45%, 78%)`;
  let hash = 0;
  for (let index = 0; index < label.length; index++) hash = (hash * 31 + label.charCodeAt(index)) >>> 0;
  return `hsl(${hash % 360}, 45%, 78%)`;
}
