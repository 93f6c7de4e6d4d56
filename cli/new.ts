/**
 * `quorumlab new <name>`: starts a protocol of one's own from something that runs and is checked.
 * It copies the starter in docs/starter/ (a quorum register, its invariant, its client model, a
 * scenario and a vitest test that fuzzes it) into the folder `<name>/`, renamed, and prints the
 * commands to try next.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { ExitCode, InputError } from "../sim/errors.js";
import { displayPath, packageRoot, packageVersion } from "./files.js";
import { colours, runCommand } from "./output.js";
import { commandHeadings } from "./shared/command-headings.js";

/** The starter's own name, replaced by the new protocol's name in file names and contents. */
const starterName = "quorum-register";

/** What each file of the new folder is, for the summary. */
const roles: ReadonlyArray<readonly [string, string]> = [
  [`${starterName}.ts`, "the protocol module: a quorum register, exported as `protocol`"],
  ["invariants.ts", "its invariant"],
  ["client.ts", "its client model: operations and the history model"],
  [`${starterName}.yaml`, "a scenario (it names the module, so `run` finds it)"],
  [`${starterName}.test.ts`, "a vitest test that fuzzes it"],
  ["package.json", "to run the test: npm install, npm test"],
  ["tsconfig.json", "TypeScript settings for editors and tsc"],
];

/** The vitest the new folder's test runs on. */
const vitestRange = "^4.1.12";

/** The packages the new folder's package.json depends on: no protocol of its own may take their name. */
const dependencies: readonly string[] = ["quorumlab", "vitest"];

export function starterFolder(): string {
  return join(packageRoot(), "docs", "starter");
}

/** Creates `<folder>/` with the starter protocol named `name`; returns the files written. */
export function createProtocolFolder(folder: string, name: string): string[] {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new InputError(
      `'${name}' is not a usable protocol name: use lowercase letters, digits and '-', starting with a letter`,
    );
  }
  if (dependencies.includes(name)) {
    throw new InputError(
      `'${name}' is the name of a package the new folder's package.json depends on, and npm installs no package into one of the same name; choose another name`,
    );
  }
  if (existsSync(folder) && !statSync(folder).isDirectory()) {
    throw new InputError("is a file, not a folder; choose another name", { file: displayPath(folder) });
  }
  if (existsSync(folder) && readdirSync(folder).length > 0) {
    throw new InputError("already exists and is not empty; choose another name or remove it", {
      file: displayPath(folder),
    });
  }
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new InputError(`cannot create the folder: ${(error as Error).message}`, {
      file: displayPath(folder),
    });
  }
  const rename = (text: string) => text.replaceAll(starterName, name);
  const written: string[] = [];
  for (const file of readdirSync(starterFolder()).sort()) {
    const text = readFileSync(join(starterFolder(), file), "utf8");
    const target = join(folder, rename(file));
    writeFileSync(target, rename(text));
    written.push(target);
  }
  const packageFile = join(folder, "package.json");
  writeFileSync(
    packageFile,
    `${JSON.stringify(
      {
        name,
        private: true,
        type: "module",
        scripts: { test: "vitest run", fuzz: `quorumlab fuzz ./${name}.ts --time 60s` },
        devDependencies: { quorumlab: `^${packageVersion()}`, vitest: vitestRange },
      },
      null,
      2,
    )}\n`,
  );
  const tsconfigFile = join(folder, "tsconfig.json");
  writeFileSync(
    tsconfigFile,
    `${JSON.stringify(
      {
        compilerOptions: {
          target: "es2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
      },
      null,
      2,
    )}\n`,
  );
  written.push(packageFile, tsconfigFile);
  return written;
}

export const newCommand: CommandModule<object, { name: string }> = {
  ...commandHeadings.new,
  builder: (yargs) =>
    yargs
      .positional("name", { type: "string", demandOption: true, describe: "protocol and folder name" })
      .example("$0 new my-register", "create my-register/ and print what to run next"),
  handler: (args) =>
    runCommand(() => {
      const folder = args.name;
      const name =
        folder
          .split(/[\\/]/)
          .filter((part) => part !== "")
          .pop() ?? folder;
      createProtocolFolder(folder, name);
      const c = colours(process.stdout);
      const shown = displayPath(folder);
      const out = [`${c.green("created")} ${shown}/ with the protocol ${c.bold(name)}`];
      for (const [file, role] of roles) {
        out.push(
          `  ${join(shown, file.replace(starterName, name)).padEnd(shown.length + name.length + 14)} ${c.dim(role)}`,
        );
      }
      out.push("", "next:");
      out.push(`  npx quorumlab fuzz ${shown}/${name}.ts --time 30s`);
      out.push(`  npx quorumlab explore ${shown}/${name}.ts --nodes 2 --time 30s`);
      out.push(`  npx quorumlab run ${shown}/${name}.yaml --report report.html`);
      out.push(`  npx quorumlab lab ${shown}/${name}.ts      (a blank lab page: fork faults in by hand)`);
      out.push(
        `  npx quorumlab mutants ${shown}/${name}.ts --list      (add deliberate bugs to 'bugs' first)`,
      );
      out.push(`  cd ${shown} && npm install && npm test`);
      out.push(c.dim("docs/node-api.md (in the quorumlab package) explains every field of the module."));
      process.stdout.write(`${out.join("\n")}\n`);
      return ExitCode.ok;
    }),
};
