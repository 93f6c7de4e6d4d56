/**
 * The transactional (Elle-style) checker's public surface: parse a history, check it under a
 * data model and a consistency level, read the anomalies and their cycles.
 */
export * from "./anomaly.js";
export * from "./check.js";
export { classifyCycle, findCycles, weakestKind } from "./cycles.js";
export { type GenerateListAppendOptions, generateListAppend, listAppendToJson } from "./generate.js";
export { type Components, DependencyGraph, EdgeKind, GraphBuilder } from "./graph.js";
export * from "./history.js";
export { parseTxnEdn, parseTxnEvents, parseTxnHistory, parseTxnJson } from "./parse.js";
