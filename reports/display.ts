/**
 * What reports know of a protocol: what it declares (sim/node.ts `RoleDeclaration` and
 * `LogDeclaration`), without the accessors only the kernel uses. Reports name no protocol and no
 * role: which roles lead, how roles are ordered and coloured and how a log is drawn all come
 * from here. A trace whose protocol is unknown gets an empty declaration: no leaders are counted
 * and no logs drawn, and roles are coloured from their names.
 */
import type { DisplayDeclaration, LogDeclaration, RoleDeclaration, StripDeclaration } from "../sim/node.js";

export type { DisplayDeclaration } from "../sim/node.js";

/** A protocol's declarations as reports read them (plain data, safe to inline in a page). */
export function displayOf(protocol: {
  readonly roles?: RoleDeclaration<never>;
  readonly log?: LogDeclaration;
  readonly strip?: StripDeclaration;
}): DisplayDeclaration {
  const roles = protocol.roles;
  return {
    ...(roles === undefined
      ? {}
      : {
          roles: {
            names: [...roles.names],
            leading: [...roles.leading],
            ...(roles.colours === undefined ? {} : { colours: { ...roles.colours } }),
          },
        }),
    ...(protocol.log === undefined ? {} : { log: protocol.log }),
    ...(protocol.strip === undefined ? {} : { strip: protocol.strip }),
  };
}

/** Whether a state description holds a log in one of the declared forms. */
export function holdsLog(display: DisplayDeclaration, state: unknown): boolean {
  if (state === null || typeof state !== "object") return false;
  const fields = state as Record<string, unknown>;
  return (display.log?.forms ?? []).some((form) => Array.isArray(fields[form.field]));
}
