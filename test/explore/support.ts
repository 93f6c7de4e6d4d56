/** Search settings for the exploration tests: breadth first, no depth or time bound, no clock. */
import type { SearchSettings } from "../../sim/explore/search.js";

export const searchSettings = (overrides: Partial<SearchSettings> = {}): SearchSettings => ({
  strategy: "bfs",
  depthMax: Number.POSITIVE_INFINITY,
  timeMs: Number.POSITIVE_INFINITY,
  statesMax: 1_000_000,
  now: () => 0,
  ...overrides,
});
