/**
 * When the CLI prints colour. Goal: colour only on a terminal that shows it, as NO_COLOR and
 * FORCE_COLOR ask, and none on TERM=dumb, whose terminals print escape codes as text. Method:
 * ask the decision for environments and streams directly, since a test cannot easily be a TTY.
 */
import { describe, expect, it } from "vitest";
import { colourLevel } from "../../cli/output.js";

describe("colourLevel", () => {
  it("colours a terminal and not a pipe", () => {
    expect(colourLevel({}, true)).toBe(2);
    expect(colourLevel({}, false)).toBe(0);
  });

  it("prints no colour on a dumb terminal", () => {
    expect(colourLevel({ TERM: "dumb" }, true)).toBe(0);
    expect(colourLevel({ TERM: "xterm-256color" }, true)).toBe(2);
  });

  it("lets NO_COLOR win over everything, and FORCE_COLOR over TERM=dumb and a pipe", () => {
    expect(colourLevel({ NO_COLOR: "1", FORCE_COLOR: "3" }, true)).toBe(0);
    expect(colourLevel({ NO_COLOR: "" }, true)).toBe(2);
    expect(colourLevel({ FORCE_COLOR: "1", TERM: "dumb" }, false)).toBe(1);
    expect(colourLevel({ FORCE_COLOR: "0" }, true)).toBe(0);
    expect(colourLevel({ FORCE_COLOR: "true" }, false)).toBe(1);
  });
});
