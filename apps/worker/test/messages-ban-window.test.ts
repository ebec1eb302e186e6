// The failure-rate ban signal: outcomes in a sliding window (time and count bounded), a reason once
// the failure share passes the threshold with enough samples. Only `record` is exercised here (pure
// bookkeeping); pausing through Redis and Postgres is covered in messages.test.ts.
import { describe, expect, it } from "vitest";
import { BanSignals } from "../src/messages/ban-signals";

const rate = { threshold: 0.5, minSamples: 10, windowMs: 60_000 };
const signals = () =>
  new BanSignals({ failureRate: rate } as unknown as ConstructorParameters<typeof BanSignals>[0]);

describe("failure-rate window", () => {
  it("needs enough samples, then reports a share over the threshold", () => {
    const s = signals();
    const t = 1_000_000;
    for (let i = 0; i < 9; i++) expect(s.record("n1", true, t + i)).toBeUndefined();
    expect(s.record("n1", false, t + 9)).toBe("failure rate 90% over the last 10 sends");
    // Another number has its own window.
    expect(s.record("n2", true, t)).toBeUndefined();
  });

  it("a share at the threshold is not over it", () => {
    const s = signals();
    for (let i = 0; i < 10; i++) expect(s.record("n", i % 2 === 0, i)).toBeUndefined();
  });

  it("failures older than the window no longer count", () => {
    const s = signals();
    for (let i = 0; i < 8; i++) s.record("n", true, i);
    // A minute later the 8 failures have left the window: 10 fresh successes, then 1 failure.
    for (let i = 0; i < 10; i++) expect(s.record("n", false, 60_010 + i)).toBeUndefined();
    expect(s.record("n", true, 60_020)).toBeUndefined();
    for (let i = 0; i < 10; i++) s.record("n", true, 60_030 + i);
    expect(s.record("n", true, 60_040)).toBe("failure rate 55% over the last 22 sends");
  });

  it("keeps at most the last 1,000 outcomes", () => {
    const s = signals();
    for (let i = 0; i < 600; i++) s.record("n", true, i);
    for (let i = 0; i < 1_500; i++) s.record("n", false, 600 + i);
    // The 600 failures were pushed out by 1,000 later successes.
    expect(s.record("n", true, 2_100)).toBeUndefined();
    for (let i = 0; i < 500; i++) s.record("n", true, 2_101 + i);
    expect(s.record("n", true, 2_601)).toBe("failure rate 50% over the last 1000 sends");
  });
});
