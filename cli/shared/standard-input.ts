/**
 * The path a lone `-` stands for where a command reads a file (`check -`, `report -`): standard
 * input. The command line turns `-` into it (the parser would drop a bare `-`); files.ts reads it
 * through its descriptor, so on any system, and messages name it as this path.
 */
export const standardInput = "/dev/stdin";
