import { describe, expect, it } from "vitest";
import { DEFAULT_PUBLISH_LIMITS, PublicationTable, type PublishInput } from "../../../src/sip/publish-receiver-state.js";

const PIDF = (basic: "open" | "closed", note = ""): string =>
  `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:1001@pbx.example.com">` +
  `<tuple id="t1"><status><basic>${basic}</basic></status>${note === "" ? "" : `<note>${note}</note>`}</tuple></presence>`;
const DIALOG = `<?xml version="1.0"?><dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="1" state="full" entity="sip:1001@pbx.example.com">` +
  `<dialog id="d1" direction="recipient"><state>early</state></dialog></dialog-info>`;

function table(limits = {}) {
  let n = 0;
  return new PublicationTable({ ...DEFAULT_PUBLISH_LIMITS, ...limits }, () => `e${++n}`);
}

const T0 = 1_000_000;
const base: PublishInput = { presentity: "1001", event: "presence", publisher: "sip:1001@pbx.example.com", now: T0 };
const pidfBody = (basic: "open" | "closed", note?: string) => ({ contentType: "application/pidf+xml", content: PIDF(basic, note) });

describe("RFC 3903 event state compositor bookkeeping", () => {
  it("initial → refresh → modify → remove, a new entity-tag each time", () => {
    const t = table();
    expect(t.apply({ ...base, body: pidfBody("open"), expires: 600 })).toEqual({ status: 200, operation: "initial", etag: "e1", expires: 600, evicted: [], stateChanged: true });
    expect(t.list("1001").map((p) => [p.etag, p.expiresAt, p.document.kind])).toEqual([["e1", T0 + 600_000, "pidf"]]);

    expect(t.apply({ ...base, ifMatch: "e1", expires: 600, now: T0 + 500_000 })).toEqual({
      status: 200, operation: "refresh", etag: "e2", expires: 600, previousEtag: "e1", evicted: [], stateChanged: false,
    });
    expect(t.list("1001").map((p) => [p.etag, p.expiresAt, p.updatedAt])).toEqual([["e2", T0 + 1_100_000, T0]]);

    expect(t.apply({ ...base, ifMatch: "e2", body: pidfBody("closed", "On the phone"), now: T0 + 600_000 })).toMatchObject({
      status: 200, operation: "modify", etag: "e3", expires: 3600, previousEtag: "e2", stateChanged: true,
    });
    const [current] = t.list("1001");
    expect(current?.document.kind === "pidf" && current.document.tuples[0]?.basic).toBe("closed");

    expect(t.apply({ ...base, ifMatch: "e3", expires: 0 })).toEqual({ status: 200, operation: "remove", expires: 0, previousEtag: "e3", evicted: [], stateChanged: true });
    expect(t.list("1001")).toEqual([]);
    expect(t.size).toBe(0);
  });

  it("412 for an entity-tag it does not hold (old, another event, another presentity)", () => {
    const t = table();
    t.apply({ ...base, body: pidfBody("open") });
    t.apply({ ...base, ifMatch: "e1" }); // refresh: e1 is gone now
    for (const input of [
      { ...base, ifMatch: "e1" },
      { ...base, ifMatch: "nope", body: pidfBody("open") },
      { ...base, ifMatch: "e2", event: "dialog" as const },
      { ...base, ifMatch: "e2", presentity: "1002" },
      { ...base, ifMatch: "e2", expires: 0, presentity: "1002" },
    ]) {
      expect(t.apply(input)).toMatchObject({ status: 412, reason: "Conditional Request Failed", problem: "unknown-etag" });
    }
  });

  it("423 with Min-Expires below the minimum; clamps above the maximum; default when absent", () => {
    const t = table({ minExpires: 60, maxExpires: 1800, defaultExpires: 900 });
    expect(t.apply({ ...base, body: pidfBody("open"), expires: 59 })).toEqual({
      status: 423, reason: "Interval Too Brief", problem: "interval-too-brief", extraHeaders: ["Min-Expires: 60"],
    });
    expect(t.apply({ ...base, body: pidfBody("open"), expires: 86_400 })).toMatchObject({ status: 200, expires: 1800 });
    expect(t.apply({ ...base, body: pidfBody("open") })).toMatchObject({ status: 200, expires: 900 });
  });

  it("415 with Accept for a type the package does not take", () => {
    const t = table();
    expect(t.apply({ ...base, body: { contentType: "text/plain", content: "hi" } })).toEqual({
      status: 415, reason: "Unsupported Media Type", problem: "unsupported-type:text/plain",
      extraHeaders: ["Accept: application/pidf+xml, application/xpidf+xml, application/cpim-pidf+xml"],
    });
    expect(t.apply({ ...base, event: "presence", body: { contentType: "application/dialog-info+xml", content: DIALOG } })).toMatchObject({ status: 415 });
    expect(t.apply({ ...base, event: "dialog", body: pidfBody("open") })).toMatchObject({ status: 415, extraHeaders: ["Accept: application/dialog-info+xml"] });
    expect(t.apply({ ...base, event: "dialog", body: { contentType: "application/dialog-info+xml; charset=UTF-8", content: DIALOG } })).toMatchObject({ status: 200, operation: "initial" });
  });

  it.each([
    ["not well-formed", "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple>", "bad-body:not-well-formed"],
    ["a DTD", "<!DOCTYPE x [<!ENTITY a 'b'>]><presence/>", "bad-body:entity-declaration"],
    ["the wrong root", "<foo xmlns='urn:x'/>", "bad-body:unexpected-root"],
    ["no basic status", "<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='t'><status><basic>maybe</basic></status></tuple></presence>", "bad-body:invalid-value"],
  ])("400 with a reason for %s, and nothing stored", (_name, content, problem) => {
    const t = table();
    const outcome = t.apply({ ...base, body: { contentType: "application/pidf+xml", content } });
    expect(outcome).toMatchObject({ status: 400, problem });
    if (outcome.status === 400) {
      expect(outcome.reason).toMatch(/^Bad Presence Body \(/);
      expect(outcome.extraHeaders[0]).toMatch(/^Warning: 399 presence-bridge "[^"]+"$/);
    }
    expect(t.size).toBe(0);
  });

  it("400 for an initial PUBLISH without a body and for a removal without SIP-If-Match", () => {
    const t = table();
    expect(t.apply({ ...base })).toMatchObject({ status: 400, problem: "initial-without-body" });
    expect(t.apply({ ...base, expires: 0, body: pidfBody("open") })).toMatchObject({ status: 400, problem: "remove-without-etag" });
  });

  it("keeps one publication per source and lists them oldest update first", () => {
    const t = table();
    t.apply({ ...base, body: pidfBody("open"), publisher: "sip:desk@pbx", now: T0 + 10 });
    t.apply({ ...base, body: pidfBody("closed"), publisher: "sip:asterisk@pbx", now: T0 + 20 });
    t.apply({ ...base, event: "dialog", body: { contentType: "application/dialog-info+xml", content: DIALOG }, now: T0 + 30 });
    t.apply({ ...base, ifMatch: "e1", body: pidfBody("open", "back"), publisher: "sip:desk@pbx", now: T0 + 40 });
    expect(t.list("1001").map((p) => [p.etag, p.publisher, p.event])).toEqual([
      ["e2", "sip:asterisk@pbx", "presence"], ["e3", "sip:1001@pbx.example.com", "dialog"], ["e4", "sip:desk@pbx", "presence"],
    ]);
  });

  it("expires a publication only when it is due", () => {
    const t = table();
    t.apply({ ...base, body: pidfBody("open"), expires: 60 });
    expect(t.expire("1001", "e1", T0 + 59_999)).toBe(false);
    expect(t.expire("1001", "e1", T0 + 60_000)).toBe(true);
    expect(t.expire("1001", "e1", T0 + 60_000)).toBe(false);
    expect(t.list("1001")).toEqual([]);
  });

  it("drops the oldest publication past the per-presentity cap", () => {
    const t = table({ maxPerPresentity: 2 });
    t.apply({ ...base, body: pidfBody("open"), now: T0 + 1 });
    t.apply({ ...base, body: pidfBody("open"), now: T0 + 2 });
    expect(t.apply({ ...base, body: pidfBody("open"), now: T0 + 3 })).toMatchObject({ status: 200, etag: "e3", evicted: ["e1"] });
    expect(t.list("1001").map((p) => p.etag)).toEqual(["e2", "e3"]);
    expect(t.clear("1001")).toEqual(["e2", "e3"]);
  });
});
