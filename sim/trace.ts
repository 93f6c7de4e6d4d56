/**
 * The trace: the one format everything downstream reads (reports, exports, the replay check).
 * The code lives in sim/trace/: format.ts (records, version, parsing), recorder.ts (recording a
 * run), rows.ts (the compact in-memory store), lines.ts (hand serialization), compare.ts
 * (comparing descriptions and messages), and last-description.ts with shapes.ts (dropping a
 * node's description equal to its previous one). This module re-exports their public parts.
 */
export { sameDescription, sameJson } from "./trace/compare.js";
export * from "./trace/format.js";
export { type MessageFields, type NodeFields, type TraceOptions, TraceRecorder } from "./trace/recorder.js";
