import { describe, expect, it } from "vitest";
import { ConcurrencyGovernor } from "../src/aws/concurrency-governor.js";

describe("the concurrency governor", () => {
  const options = (clock: { now: number }) => ({
    threshold: 3,
    ratio: 0.25,
    windowMs: 1_000,
    recoverMs: 500,
    now: () => clock.now,
  });

  it("halves the concurrency when one service throttles a large share of its calls, and gives it back slowly once calm", () => {
    const clock = { now: 0 };
    const target = { concurrency: 16 };
    const governor = new ConcurrencyGovernor(target, 16, options(clock));
    governor.onSuccess("sts");
    governor.onThrottle("sts");
    governor.onThrottle("sts");
    expect(target.concurrency).toBe(16);
    governor.onThrottle("sts");
    expect(target.concurrency).toBe(8);
    for (let round = 0; round < 3; round += 1) for (let i = 0; i < 3; i += 1) governor.onThrottle("sts");
    expect(target.concurrency).toBe(1);
    expect(governor.lowest).toBe(1);
    clock.now += 600;
    governor.onSuccess("sts");
    governor.onSuccess("sts");
    expect(target.concurrency).toBe(2);
    clock.now += 600;
    governor.onSuccess("cloudtrail");
    expect(target.concurrency).toBe(3);
  });

  it("leaves sporadic throttles among many calls to the retries", () => {
    const clock = { now: 0 };
    const target = { concurrency: 16 };
    const governor = new ConcurrencyGovernor(target, 16, options(clock));
    // 10 % of a busy service's attempts throttled, over several windows.
    for (let call = 0; call < 2_000; call += 1) {
      clock.now += 5;
      if (call % 10 === 0) governor.onThrottle("cloudtrail");
      else governor.onSuccess("cloudtrail");
    }
    expect(governor.lowest).toBe(16);
  });

  it("judges each service apart: a throttled STS among busy CloudTrail calls still backs off", () => {
    const clock = { now: 0 };
    const target = { concurrency: 16 };
    const governor = new ConcurrencyGovernor(target, 16, options(clock));
    for (let call = 0; call < 100; call += 1) governor.onSuccess("cloudtrail");
    for (let call = 0; call < 4; call += 1) {
      governor.onSuccess("sts");
      governor.onThrottle("sts");
    }
    expect(target.concurrency).toBe(8);
  });
});
