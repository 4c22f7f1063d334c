/** SIP subscription outcomes → XMPP (RFC 6665 §4.1.3, §4.1.2.2; RFC 8048 §5.2; RFC 7247 §8.2), as tables. */
import { describe, expect, it } from "vitest";
import {
  CONDITION_TYPES,
  decideNotifyState,
  decideSubscribeFailure,
  SIP_TO_XMPP_ERRORS,
  stanzaErrorFor,
  TERMINATION_REASONS,
  type OutcomeDecision,
  type SubscriptionStateHeader,
} from "../../../src/gateway/decisions.js";

const brief = (d: OutcomeDecision): [string, string | number] => [
  d.xmpp.kind === "error" ? `error:${d.xmpp.error.condition}` : d.xmpp.kind,
  d.sip.kind === "resubscribe" ? d.sip.afterMs : d.sip.kind,
];

describe("NOTIFY Subscription-State → XMPP", () => {
  const rows: [SubscriptionStateHeader, string, string | number][] = [
    [{ state: "active" }, "subscribed", "none"],
    [{ state: "pending" }, "none", "none"],
    [{ state: "terminated", reason: "deactivated" }, "none", 0],
    [{ state: "terminated", reason: "timeout" }, "none", 0],
    [{ state: "terminated", reason: "probation" }, "none", "backoff"],
    [{ state: "terminated", reason: "probation", retryAfter: 30 }, "none", 30_000],
    [{ state: "terminated", reason: "giveup" }, "none", 0],
    [{ state: "terminated", reason: "giveup", retryAfter: 120 }, "none", 120_000],
    [{ state: "terminated", reason: "rejected" }, "unsubscribed", "end"],
    [{ state: "terminated", reason: "noresource" }, "unavailable", "end"],
    [{ state: "terminated", reason: "invariant" }, "none", "end"],
    [{ state: "terminated" }, "none", "backoff"],
    [{ state: "terminated", reason: "x-moon-phase", retryAfter: 7 }, "none", 7_000],
  ];
  it.each(rows)("%o → %s, SIP %s", (header, xmpp, sip) => {
    expect(brief(decideNotifyState(header))).toEqual([xmpp, sip]);
  });

  it("only rejected drops the roster subscription (Kamailio drops it for every reason but timeout)", () => {
    const dropping = TERMINATION_REASONS.filter((reason) => decideNotifyState({ state: "terminated", reason }).xmpp.kind === "unsubscribed");
    expect(dropping).toEqual(["rejected"]);
  });

  it("noresource becomes unsubscribed when configured so", () => {
    expect(brief(decideNotifyState({ state: "terminated", reason: "noresource" }, { noresource: "unsubscribed" }))).toEqual(["unsubscribed", "end"]);
  });

  it("retry-after is seconds; a value that is not a non-negative integer is ignored", () => {
    for (const retryAfter of [-1, 1.5, Number.NaN]) {
      expect(decideNotifyState({ state: "terminated", reason: "probation", retryAfter }).sip).toEqual({ kind: "resubscribe", afterMs: "backoff" });
    }
    expect(decideNotifyState({ state: "terminated", reason: "probation", retryAfter: 0 }).sip).toEqual({ kind: "resubscribe", afterMs: 0 });
  });

  it("invariant asks for a log line and keeps the roster entry", () => {
    const d = decideNotifyState({ state: "terminated", reason: "invariant" });
    expect(d.log).toBe("invariant");
    expect(d.xmpp.kind).toBe("none");
  });
});

describe("SUBSCRIBE failures → XMPP", () => {
  const rows: [number, "initial" | "refresh", number | undefined, string, string | number][] = [
    [200, "initial", undefined, "none", "none"],
    [403, "initial", undefined, "unsubscribed", "end"],
    [603, "initial", undefined, "unsubscribed", "end"],
    [403, "refresh", undefined, "unsubscribed", "end"],
    [404, "initial", undefined, "error:item-not-found", "end"],
    [408, "initial", undefined, "error:remote-server-timeout", "end"],
    [480, "initial", undefined, "error:recipient-unavailable", "end"],
    [484, "initial", undefined, "error:jid-malformed", "end"],
    [488, "initial", undefined, "error:not-acceptable", "end"],
    [500, "initial", undefined, "error:internal-server-error", "end"],
    [503, "initial", undefined, "error:service-unavailable", "end"],
    [504, "initial", undefined, "error:remote-server-timeout", "end"],
    // RFC 6665 §4.1.2.2: these refresh failures end the subscription; the bridge subscribes afresh later.
    [404, "refresh", undefined, "unavailable", "backoff"],
    [481, "refresh", 10, "unavailable", 10_000],
    [489, "refresh", undefined, "unavailable", "backoff"],
    [604, "refresh", undefined, "unavailable", "backoff"],
    // Other refresh failures leave it valid until it expires: retry the refresh.
    [408, "refresh", undefined, "none", "backoff"],
    [503, "refresh", 5, "none", 5_000],
    [486, "refresh", undefined, "none", "backoff"],
  ];
  it.each(rows)("%i on %s (Retry-After %s) → %s, SIP %s", (status, phase, retryAfter, xmpp, sip) => {
    const context = retryAfter === undefined ? { phase } : { phase, retryAfter };
    expect(brief(decideSubscribeFailure(status, context))).toEqual([xmpp, sip]);
  });

  it("every decision names the rule it follows", () => {
    for (const [status, phase] of rows) expect(decideSubscribeFailure(status, { phase }).cite).toMatch(/^RFC \d+ §/);
    for (const reason of [...TERMINATION_REASONS, undefined]) {
      expect(decideNotifyState({ state: "terminated", ...(reason === undefined ? {} : { reason }) }).cite).toMatch(/^RFC \d+ §/);
    }
  });
});

describe("SIP status → stanza error (RFC 7247 §8.2 as reconstructed, RFC 6120 §8.3.3 types)", () => {
  const rows: [number, string, string][] = [
    [302, "redirect", "modify"],
    [400, "bad-request", "modify"],
    [401, "not-authorized", "auth"],
    [403, "forbidden", "auth"],
    [404, "item-not-found", "cancel"],
    [405, "not-allowed", "cancel"],
    [407, "registration-required", "auth"],
    [408, "remote-server-timeout", "wait"],
    [410, "gone", "cancel"],
    [480, "recipient-unavailable", "wait"],
    [484, "jid-malformed", "modify"],
    [486, "recipient-unavailable", "wait"],
    [488, "not-acceptable", "modify"],
    [491, "unexpected-request", "wait"],
    [500, "internal-server-error", "cancel"],
    [501, "feature-not-implemented", "cancel"],
    [502, "remote-server-not-found", "cancel"],
    [503, "service-unavailable", "cancel"],
    [504, "remote-server-timeout", "wait"],
    [604, "item-not-found", "cancel"],
    // RFC 3261 §8.1.3.2: an unknown status reads as the x00 of its class.
    [399, "redirect", "modify"],
    [499, "bad-request", "modify"],
    [580, "internal-server-error", "cancel"],
    [699, "service-unavailable", "cancel"],
  ];
  it.each(rows)("%i → %s (%s)", (status, condition, type) => {
    expect(stanzaErrorFor(status)).toEqual({ condition, type, sipStatus: status });
  });

  it("every row is a failure status with a condition RFC 6120 types", () => {
    for (const [status, row] of SIP_TO_XMPP_ERRORS) {
      expect(status).toBeGreaterThanOrEqual(300);
      expect(status).toBeLessThan(700);
      expect(CONDITION_TYPES[row.condition]).toBeDefined();
    }
  });
});
