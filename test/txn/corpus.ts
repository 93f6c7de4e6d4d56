/** Where ../shared/corpus/elle is: beside the repository, or beside the folder of worktrees. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const elleCorpus =
  ["../../../shared/corpus/elle", "../../../../shared/corpus/elle"]
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((candidate) => existsSync(candidate)) ??
  fileURLToPath(new URL("../../../shared/corpus/elle", import.meta.url));
