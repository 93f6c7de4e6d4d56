/**
 * The import layers of quorumlab, checked by `npm run deps` (dependency-cruiser) in CI. The
 * README's "Where things live" section states the same rules in prose; keep the two together.
 *
 * Type-only imports count: a layer that names another layer's types depends on it.
 */

/** cli/ modules that every command may use (new shared code goes in cli/shared/). */
const cliUtilities = "^cli/(files|output|history-check)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "Modules never import each other, directly or through others.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "sim-is-the-bottom",
      comment: "sim/ names no protocol, report, command, benchmark or test.",
      severity: "error",
      from: { path: "^sim/" },
      to: { path: "^(protocols|reports|cli|bench|test)/" },
    },
    {
      name: "protocols-use-the-node-api",
      comment:
        "A protocol imports only the public node API (sim/node.ts) and the shared checkers (sim/check/) from sim/.",
      severity: "error",
      from: { path: "^protocols/" },
      to: { path: "^sim/", pathNot: "^sim/(node\\.ts$|check/)" },
    },
    {
      name: "protocols-stand-alone",
      comment:
        "A protocol imports its own folder and protocols/shared/ only; protocols/shared/ imports no protocol.",
      severity: "error",
      from: { path: "^protocols/([^/]+)/", pathNot: "^protocols/(sharded-kv|txn-kv)/" },
      to: { path: "^protocols/", pathNot: "^protocols/($1|shared)/" },
    },
    {
      name: "sharded-kv-builds-on-raft-and-consistent-hashing",
      comment:
        "The declared exception: sharded-kv is built on raft and consistent-hashing, and nothing else.",
      severity: "error",
      from: { path: "^protocols/sharded-kv/" },
      to: { path: "^protocols/", pathNot: "^protocols/(sharded-kv|shared|raft|consistent-hashing)/" },
    },
    {
      name: "txn-kv-builds-on-raft",
      comment:
        "The declared exception: txn-kv's groups are Raft groups, embedded through sharded-kv's Raft replica, and nothing else.",
      severity: "error",
      from: { path: "^protocols/txn-kv/" },
      to: {
        path: "^protocols/",
        pathNot: "^protocols/(txn-kv|shared|raft)/|^protocols/sharded-kv/replica\\.ts$",
      },
    },
    {
      name: "protocols-and-reports-are-below-the-cli",
      comment: "Only cli/, bench/ and test/ sit on top.",
      severity: "error",
      from: { path: "^(protocols|reports)/" },
      to: { path: "^(cli|bench|test)/" },
    },
    {
      name: "reports-read-traces",
      comment:
        "reports/ reads the trace format (sim/trace), time formatting (sim/time.ts), the node API's declaration types (sim/node.ts) and what protocols declare through their index modules.",
      severity: "error",
      from: { path: "^reports/", pathNot: "^reports/page/" },
      to: {
        path: "^(sim|protocols)/",
        pathNot: "^sim/(trace\\.ts$|trace/|time\\.ts$|node\\.ts$)|^protocols/(index\\.ts$|[^/]+/index\\.ts$)",
      },
    },
    {
      name: "the-lab-page-runs-the-simulator",
      comment:
        "reports/page/ is the lab page's code: it runs the kernel and the checkers in the browser, so it may import sim/; it imports no protocol (the bundle's entry hands one in), and the rest of reports/ does not import it.",
      severity: "error",
      from: { path: "^reports/page/" },
      to: { path: "^protocols/" },
    },
    {
      name: "reports-do-not-import-the-lab-page",
      comment: "Only the bundle (built by cli/shared/page-bundle.ts) starts from reports/page/.",
      severity: "error",
      from: { path: "^reports/", pathNot: "^reports/page/" },
      to: { path: "^reports/page/" },
    },
    {
      name: "commands-do-not-import-commands",
      comment: "A command shares code through cli/shared/ or a cli utility, never through another command.",
      severity: "error",
      from: { path: "^cli/([^/]+\\.ts$|[^/]+/)", pathNot: "^cli/(main\\.ts$|shared/)" },
      to: { path: "^cli/[^/]+\\.ts$", pathNot: cliUtilities },
    },
    {
      name: "a-command-folder-is-its-commands-own",
      comment:
        "cli/<command>/ holds one command's own modules (cli/fuzz/ for cli/fuzz.ts): only that command and its folder import them.",
      severity: "error",
      from: { path: "^cli/([^/.]+)" },
      to: { path: "^cli/[^/]+/", pathNot: "^cli/($1|shared)/" },
    },
    {
      name: "cli-shared-is-below-the-commands",
      comment: "cli/shared/ serves the commands and imports none of them.",
      severity: "error",
      from: { path: "^cli/shared/" },
      to: { path: "^cli/[^/]+\\.ts$", pathNot: cliUtilities },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser to use; swc parses TypeScript and
    // keeps type-only imports.
    parser: "swc",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    // docs/starter/ is the template `quorumlab new` copies into a user's own project: its layout
    // is the user's, not one of ours.
    exclude: { path: "^(dist|node_modules|docs/starter)/" },
  },
};
