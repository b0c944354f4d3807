import { describe, expect, it } from "vitest";
import { oneLogLine } from "../src/github/workflow-log.js";

describe("oneLogLine", () => {
  it("never lets outside text start a workflow command: line breaks become spaces", () => {
    expect(oneLogLine("open an issue for account 1: x\n::warning title=INJECTED::pwned")).toBe(
      "open an issue for account 1: x ::warning title=INJECTED::pwned",
    );
    expect(oneLogLine("a\r\n::add-mask::b\r::error::c")).toBe("a ::add-mask::b ::error::c");
  });

  it("shifts a line that would itself begin with a command", () => {
    expect(oneLogLine("::stop-commands::token")).toBe("> ::stop-commands::token");
    expect(oneLogLine("  ::error::x")).toBe(">   ::error::x");
    expect(oneLogLine("12 accounts read")).toBe("12 accounts read");
  });
});
