/**
 * XMPP watchers → the shared SIP subscription (ref-counted), SIP watchers → XMPP,
 * and the publish mode, as tables and scripted sequences.
 */
import { describe, expect, it } from "vitest";
import {
  classifySubscribe,
  decideNotifyState,
  decideSipSubscribe,
  decideUserAnswer,
  onPresenceKnown,
  onSipOutcome,
  onXmppProbe,
  onXmppSubscribe,
  onXmppUnsubscribe,
  publishRoutes,
  sharedSubscription,
  type SharedDecision,
  type SharedSubscription,
  type SipSubscribeKind,
  type WatcherAuthorization,
} from "../../../src/gateway/decisions.js";

const PRESENTITY = "sip:1001@pbx.example.com";
const [juliet, romeo, nurse] = ["juliet@capulet.lit", "romeo@montague.lit", "nurse@capulet.lit"];

const replies = (d: SharedDecision): string[] => d.replies.flatMap((r) => r.to.map((to) => `${to}:${r.reply.kind}`));

/** Runs a script of decisions, returning the SIP actions taken as `step:kind`. */
function script(start: SharedSubscription, steps: ((s: SharedSubscription) => SharedDecision)[]): { sip: string[]; end: SharedSubscription } {
  let s = start;
  const sip: string[] = [];
  for (const [i, step] of steps.entries()) {
    const d = step(s);
    if (d.sip.kind !== "none") sip.push(`${i}:${d.sip.kind}`);
    s = d.next;
  }
  return { sip, end: s };
}

describe("XMPP watchers share one SIP subscription per presentity", () => {
  it("the first subscribe starts it, the last unsubscribe ends it, whatever happens in between", () => {
    const { sip, end } = script(sharedSubscription(PRESENTITY), [
      (s) => onXmppSubscribe(s, juliet, "defer"),
      (s) => onXmppSubscribe(s, romeo, "defer"),
      (s) => onSipOutcome(s, decideNotifyState({ state: "active" })),
      (s) => onXmppSubscribe(s, nurse, "defer"),
      (s) => onXmppSubscribe(s, romeo, "defer"),
      (s) => onXmppUnsubscribe(s, juliet),
      (s) => onXmppUnsubscribe(s, juliet),
      (s) => onXmppUnsubscribe(s, romeo),
      (s) => onXmppUnsubscribe(s, nurse),
    ]);
    // One SUBSCRIBE at the first watcher, one Expires: 0 after the last (a second unsubscribe of juliet is nothing).
    expect(sip).toEqual(["0:subscribe", "8:unsubscribe"]);
    expect(end).toEqual({ presentity: PRESENTITY, watchers: [], sip: "none", known: false });
  });

  it("pending waits, active answers everyone who waited, and later watchers at once with the last known presence", () => {
    let s = sharedSubscription(PRESENTITY);
    const first = onXmppSubscribe(s, juliet, "defer");
    expect([first.sip.kind, replies(first), first.next.sip]).toEqual(["subscribe", [], "pending"]);
    s = first.next;
    const second = onXmppSubscribe(s, romeo, "defer");
    expect([second.sip.kind, replies(second)]).toEqual(["none", []]);
    s = second.next;
    const active = onSipOutcome(s, decideNotifyState({ state: "active" }));
    expect(replies(active)).toEqual([`${juliet}:subscribed`, `${romeo}:subscribed`]);
    s = onPresenceKnown(active.next);
    const third = onXmppSubscribe(s, nurse, "defer");
    expect([third.sip.kind, replies(third)]).toEqual(["none", [`${nurse}:subscribed`, `${nurse}:last-known`]]);
    expect(third.next.watchers).toEqual([juliet, nurse, romeo]);
  });

  it("the presence server's policy: deny refuses without SIP traffic, approve answers at once", () => {
    const s = sharedSubscription(PRESENTITY);
    const denied = onXmppSubscribe(s, juliet, "deny");
    expect([denied.sip.kind, replies(denied), denied.next]).toEqual(["none", [`${juliet}:unsubscribed`], s]);
    const approved = onXmppSubscribe(s, juliet, "approve");
    expect([approved.sip.kind, replies(approved)]).toEqual(["subscribe", [`${juliet}:subscribed`]]);
  });

  const probeRows: [string, SharedSubscription, string, string, string[]][] = [
    ["a stranger gets nothing", { presentity: PRESENTITY, watchers: [romeo], sip: "active", known: true }, juliet, "none", []],
    ["known → last known, at once", { presentity: PRESENTITY, watchers: [juliet], sip: "active", known: true }, juliet, "none", [`${juliet}:last-known`]],
    ["nothing known, no subscription → fetch", { presentity: PRESENTITY, watchers: [juliet], sip: "none", known: false }, juliet, "fetch", []],
    ["nothing known, subscription pending → wait for its NOTIFY", { presentity: PRESENTITY, watchers: [juliet], sip: "pending", known: false }, juliet, "none", []],
  ];
  it.each(probeRows)("probe: %s", (_, s, watcher, sip, expected) => {
    const d = onXmppProbe(s, watcher);
    expect([d.sip.kind, replies(d)]).toEqual([sip, expected]);
  });

  const outcomeRows: [string, Parameters<typeof decideNotifyState>[0], string[], string, number][] = [
    ["rejected: everyone unsubscribed, the ledger empties", { state: "terminated", reason: "rejected" }, [`${juliet}:unsubscribed`, `${romeo}:unsubscribed`], "none", 0],
    ["noresource: everyone sees unavailable, roster entries stay", { state: "terminated", reason: "noresource" }, [`${juliet}:unavailable`, `${romeo}:unavailable`], "none", 2],
    ["deactivated: nobody is told, the bridge subscribes again", { state: "terminated", reason: "deactivated" }, [], "pending", 2],
    ["invariant: nobody is told, nothing retried", { state: "terminated", reason: "invariant" }, [], "none", 2],
  ];
  it.each(outcomeRows)("outcome %s", (_, header, expected, sipState, watchers) => {
    const s: SharedSubscription = { presentity: PRESENTITY, watchers: [juliet, romeo], sip: "active", known: true };
    const d = onSipOutcome(s, decideNotifyState(header));
    expect(replies(d)).toEqual(expected);
    expect([d.next.sip, d.next.watchers.length]).toEqual([sipState, watchers]);
  });
});

describe("SIP watchers of a chat user", () => {
  const kinds: [boolean, number, SipSubscribeKind][] = [
    [false, 3600, "initial"],
    [true, 3600, "refresh"],
    [true, 0, "unsubscribe"],
    [false, 0, "fetch"],
  ];
  it.each(kinds)("in dialog %s, Expires %i → %s", (inDialog, expires, kind) => {
    expect(classifySubscribe({ inDialog, expires })).toBe(kind);
  });

  const rows: [SipSubscribeKind, WatcherAuthorization, string, string][] = [
    ["initial", "unknown", "pending", "subscribe"],
    ["initial", "approved", "active", "none"],
    ["initial", "denied", "terminated;reason=rejected", "none"],
    ["refresh", "unknown", "none", "none"],
    ["refresh", "approved", "none", "none"],
    ["unsubscribe", "approved", "terminated;reason=timeout", "unsubscribe"],
    ["fetch", "approved", "terminated;body", "probe"],
    ["fetch", "unknown", "terminated", "none"],
  ];
  it.each(rows)("%s, %s → NOTIFY %s, XMPP %s", (kind, authorization, notify, xmpp) => {
    const d = decideSipSubscribe(kind, authorization);
    const shown =
      d.notify === "none"
        ? "none"
        : d.notify.state !== "terminated"
          ? d.notify.state
          : d.notify.reason !== undefined
            ? `terminated;reason=${d.notify.reason}`
            : d.notify.body
              ? "terminated;body"
              : "terminated";
    expect([d.response, shown, d.xmpp]).toEqual([200, notify, xmpp]);
  });

  it("the user's answer: subscribed → active, unsubscribed → terminated;reason=rejected", () => {
    expect(decideUserAnswer("subscribed").notify).toEqual({ state: "active" });
    expect(decideUserAnswer("unsubscribed").notify).toEqual({ state: "terminated", reason: "rejected" });
  });
});

describe("publish mode", () => {
  it.each([
    ["notify", { notify: true, publish: false }],
    ["publish", { notify: false, publish: true }],
    ["both", { notify: true, publish: true }],
  ] as const)("%s → %o", (mode, routes) => {
    expect(publishRoutes(mode)).toEqual(routes);
  });
});
