/**
 * Zod's issues said in words, for every file and module the tools validate: the bound and the
 * value got (`expected a whole number of at least 1, got 0`), the type as a noun (`expected a
 * list, got "tick"`), the options and the one meant. Zod's own wording (`Too small: expected
 * number to be >=1`) reads as the library's, not ours.
 */
import type { z } from "zod";
import { didYouMean } from "./suggest.js";

/** How zod's own messages begin; the schemas' own messages are sentences already. */
export const zodWords = /^(Invalid input|Invalid option|Too small|Too big|Unrecognized key)/;

/** A zod issue of zod's own wording, said plainly, with the value got. */
export function issueSentence(issue: z.core.$ZodIssue, value: unknown, schema?: z.ZodType): string {
  const got = `got ${shown(value)}`;
  switch (issue.code) {
    case "invalid_type":
      return value === undefined
        ? `missing, expected ${typeNoun(issue.expected)}`
        : `expected ${typeNoun(issue.expected)}, ${got}`;
    case "invalid_value": {
      const known = issue.values.filter((option): option is string => typeof option === "string");
      const meant = typeof value === "string" ? didYouMean(value, known) : "";
      return `expected one of ${issue.values.map((option) => JSON.stringify(option)).join(", ")}, ${got}${meant}`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const words =
        issue.code === "too_small"
          ? issue.inclusive
            ? "of at least"
            : "above"
          : issue.inclusive
            ? "of at most"
            : "below";
      if (issue.origin === "array")
        return `expected a list ${words} ${bound} item${Number(bound) === 1 ? "" : "s"}, got ${Array.isArray(value) ? `${value.length} item${value.length === 1 ? "" : "s"}` : shown(value)}`;
      if (issue.origin === "string")
        return `expected a string ${words} ${bound} character${Number(bound) === 1 ? "" : "s"}, ${got}`;
      const whole = (schema as { isInt?: boolean } | undefined)?.isInt === true;
      return `expected a ${whole ? "whole " : ""}number ${words} ${bound}, ${got}`;
    }
    default:
      return issue.message.replace(/^Invalid (input|option): /, "");
  }
}

/** `a whole number` for zod's `int`, and so on. */
export function typeNoun(expected: string): string {
  const nouns: Readonly<Record<string, string>> = {
    int: "a whole number",
    number: "a number",
    string: "a string",
    boolean: "true or false",
    array: "a list",
    object: "an object",
    function: "a function",
  };
  return nouns[expected] ?? expected;
}

/** A value as the file or module wrote it, cut short. */
export function shown(value: unknown): string {
  if (typeof value === "function") return "a function";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
