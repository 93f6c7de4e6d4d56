/**
 * Integers a history may hold: JavaScript numbers are exact only up to ±(2^53 − 1), and two
 * larger integers that differ may read as one number (9007199254740993 reads as
 * 9007199254740992), which would give a wrong verdict. The readers refuse them, at the place
 * they were written.
 */
import { InputError } from "../../errors.js";

/** The message for an integer written as `literal` that is beyond the exact range. */
export function inexactIntegerMessage(literal: string): string {
  return `integer ${literal} is beyond ±2^53−1 and cannot be compared exactly; write it as a string`;
}

/** True for a number that is an integer JavaScript cannot hold exactly. */
export function isInexactInteger(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

/** Text that may hold a number literal of 16 or more digits, or one with an exponent. */
const maybeLarge = /\d{16}|\d[eE]/;
const numberToken = /-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/**
 * Throws `InputError` at the first number literal of a JSON text (outside strings) whose value is
 * an integer beyond ±(2^53 − 1). JSON.parse has already rounded such a number, so the text is
 * where its digits are. Texts with no long digit run and no exponent are passed at once.
 */
export function refuseInexactJsonIntegers(text: string, file: string | undefined): void {
  if (!maybeLarge.test(text)) return;
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10) {
      line++;
      lineStart = index + 1;
    } else if (code === 34) {
      index++;
      while (index < text.length && text.charCodeAt(index) !== 34)
        index += text.charCodeAt(index) === 92 ? 2 : 1;
    } else if (code === 45 || (code >= 48 && code <= 57)) {
      numberToken.lastIndex = index;
      const token = numberToken.exec(text)?.[0];
      if (token === undefined) continue;
      if (isInexactInteger(Number(token))) {
        throw new InputError(inexactIntegerMessage(token), { file, line, column: index - lineStart + 1 });
      }
      index += token.length - 1;
    }
  }
}
