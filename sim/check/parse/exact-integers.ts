/**
 * Integers a history may hold: JavaScript numbers are exact only up to ±(2^53 − 1), and two
 * larger integers that differ may read as one number (9007199254740993 reads as
 * 9007199254740992), which would give a wrong verdict. The readers refuse them, at the place
 * they were written.
 */
import { InputError } from "../../errors.js";
import { walkJsonText } from "./json-walk.js";

/** The message for an integer written as `literal` that is beyond the exact range. */
export function inexactIntegerMessage(literal: string): string {
  return `integer ${literal} is beyond ±2^53−1 and cannot be compared exactly; write it as a string`;
}

/**
 * The message for a number written as `literal` that is beyond the largest double, which
 * JavaScript reads as Infinity: `1e400` and `2e400` would read as one value.
 */
export function infiniteNumberMessage(literal: string): string {
  return `number ${literal} is beyond the largest JavaScript can hold (about 1.8e308) and would read as Infinity; write it as a string`;
}

/** True for a number that is an integer JavaScript cannot hold exactly. */
export function isInexactInteger(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

/** Text that may hold a number literal of 16 or more digits, or one with an exponent. */
const maybeLarge = /\d{16}|\d[eE]/;

/**
 * Throws `InputError` at the first number literal of a JSON text (outside strings) whose value is
 * an integer beyond ±(2^53 − 1), or beyond the largest double (JSON.parse reads it as ±Infinity).
 * JSON.parse has already rounded such a number, so the text is where its digits are. Texts with
 * no long digit run and no exponent are passed at once.
 */
export function refuseInexactJsonIntegers(text: string, file: string | undefined): void {
  if (!maybeLarge.test(text)) return;
  walkJsonText(text, {
    number: (literal, start, line, lineStart) => {
      const value = Number(literal);
      if (isInexactInteger(value)) {
        throw new InputError(inexactIntegerMessage(literal), { file, line, column: start - lineStart + 1 });
      }
      if (!Number.isFinite(value)) {
        throw new InputError(infiniteNumberMessage(literal), { file, line, column: start - lineStart + 1 });
      }
    },
  });
}
