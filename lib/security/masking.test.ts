// Masking: only the last two digits of a number are ever shown.
import { describe, expect, it } from "vitest";
import { maskDigits, maskMobile } from "./masking";

describe("maskMobile", () => {
  it("shows only the last two digits", () => {
    expect(maskMobile("+31611112278")).toBe("*****78");
    expect(maskMobile(null)).toBeNull();
    expect(maskDigits("56")).toBe("*****56");
  });
});
