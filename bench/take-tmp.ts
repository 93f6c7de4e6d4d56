import { historyChecker } from "../cli/history-check.js";
import { protocols } from "../protocols/index.js";
import { exploreSetup } from "../sim/explore/settings.js";
import { World, WorldShared } from "../sim/explore/world.js";
import type { ScheduleStep } from "../sim/scenario/schema.js";
import type { Protocol } from "../sim/node.js";
const name = process.argv[2] ?? "paxos";
const { setup } = exploreSetup(protocols.get(name) as Protocol, { nodes: 3, faults: { timeouts: 2 } }, historyChecker());
const shared = new WorldShared();
let world = new World(setup, shared);
const N = 5000;
let cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) world = new World(setup, shared);
let cpu = process.cpuUsage(cpu0);
console.log("new World cpu µs", (cpu.user + cpu.system) / N);
cpu0 = process.cpuUsage();
let steps = 0;
for (let i = 0; i < N / 5; i++) {
  world = new World(setup, shared);
  for (let d = 0; d < 8; d++) { const c = world.choices(); if (c.length === 0) break; world.take(c[(i + d) % c.length] as ScheduleStep); steps++; }
}
cpu = process.cpuUsage(cpu0);
console.log("per step incl choices cpu µs", ((cpu.user + cpu.system) - (N / 5) * 0) / steps, steps);
cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) world.fingerprint();
cpu = process.cpuUsage(cpu0);
console.log("fingerprint cpu µs", (cpu.user + cpu.system) / N);
