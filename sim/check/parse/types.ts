/** What every history parser returns. */
import type { HistoryEvent } from "../../history.js";
import type { AnyModel } from "../model.js";

/** The history formats the checker reads. */
export const historyFormats = ["porcupine-etcd", "porcupine-kv", "knossos-edn", "json"] as const;
export type HistoryFormat = (typeof historyFormats)[number];

/** A parsed history: events in time order and the model the format implies. */
export interface ParsedHistory {
  readonly format: HistoryFormat;
  readonly events: HistoryEvent[];
  /** The model the file names or its format implies (for example a cas-register starting at 0). */
  readonly model: AnyModel;
  /** Where each event is written, by its `index`, to place a problem the checker finds in one. */
  readonly positions?: ReadonlyMap<number, { readonly line: number; readonly column: number }>;
}

/** A history event under construction (parsers patch values once the completion is known). */
export type MutableEvent = { -readonly [K in keyof HistoryEvent]: HistoryEvent[K] };
