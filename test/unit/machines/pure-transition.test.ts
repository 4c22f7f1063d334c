/**
 * machines/pure-transition.ts against XState's own `transition()`: for random event
 * sequences through every machine of the project, the same next snapshot (value and
 * context) and the same actions (type and params), step by step.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialTransition, transition, type AnyStateMachine } from "xstate";
import { pureInitialTransition, pureTransition } from "../../../machines/pure-transition.js";
import { sipNotifierMachine } from "../../../machines/sip-notifier.machine.js";
import { sipPublisherMachine } from "../../../machines/sip-publisher.machine.js";
import { sipSubscriberMachine } from "../../../machines/sip-subscriber.machine.js";
import { subscriptionMachine } from "../../../machines/subscription.machine.js";
import { personSyncMachine } from "../../../src/gateway/person-sync.js";
import { chat, juliet, phone, policy } from "./person-sync-fixtures.js";

const status = fc.constantFrom(200, 202, 401, 403, 404, 408, 412, 423, 481, 489, 500, 503, 603);
const now = fc.integer({ min: 0, max: 10_000_000 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const strip = <T extends object>(event: T): T => Object.fromEntries(Object.entries(event).filter(([, v]) => v !== undefined)) as T;

const subscriberEvents = fc.oneof(
  fc.record({ type: fc.constant("subscribe.start"), now }),
  fc.record({ type: fc.constant("subscribe.accepted"), now, expires: maybe(fc.integer({ min: 0, max: 7200 })) }),
  fc.record({ type: fc.constant("request.failed"), now, status, retryAfter: maybe(fc.integer({ min: 0, max: 600 })), minExpires: maybe(fc.integer({ min: 60, max: 7200 })) }),
  fc.record({ type: fc.constant("transport.failed"), now }),
  fc.record({
    type: fc.constant("notify.received"), now, state: fc.constantFrom("active", "pending", "terminated"),
    expires: maybe(fc.integer({ min: 0, max: 7200 })), reason: maybe(fc.constantFrom("deactivated", "probation", "rejected", "timeout", "giveup", "noresource", "invariant")),
    retryAfter: maybe(fc.integer({ min: 0, max: 600 })),
  }),
  ...(["refresh.due", "retry.due", "notify.timeout", "unsubscribe", "subscription.resumed"] as const).map((type) => fc.record({ type: fc.constant(type), now })),
);

const notifierEvents = fc.oneof(
  fc.record({ type: fc.constant("subscribe.received"), now, expires: fc.integer({ min: 0, max: 7200 }) }),
  fc.record({ type: fc.constant("expiry.due"), now }),
  fc.record({ type: fc.constant("notify.failed"), status }),
  ...(["watcher.approved", "watcher.denied", "presence.changed", "presentity.removed", "notifier.stopping"] as const).map((type) => fc.constant({ type })),
);

const publisherEvents = fc.oneof(
  fc.record({ type: fc.constant("publish.accepted"), now, etag: maybe(fc.constantFrom("e1", "e2")), expires: maybe(fc.integer({ min: 0, max: 7200 })) }),
  fc.record({ type: fc.constant("request.failed"), now, status, retryAfter: maybe(fc.integer({ min: 0, max: 600 })), minExpires: maybe(fc.integer({ min: 60, max: 7200 })) }),
  ...(["publish.requested", "unpublish.requested", "transport.failed", "refresh.due", "retry.due", "publication.resumed"] as const).map((type) => fc.record({ type: fc.constant(type), now })),
);

const subscriptionEvents = fc.oneof(
  fc.record({ type: fc.constant("subscribe.received"), nick: maybe(fc.constantFrom("Juliet", "")) }),
  ...([
    "subscribed.received", "unsubscribe.received", "unsubscribed.received", "probe.received", "subscribe.sent", "approval.sent",
    "denial.sent", "unsubscribe.sent", "unsubscribed.sent", "resend.due", "decision.due",
  ] as const).map((type) => fc.constant({ type })),
);

const presences = fc.constantFrom(phone("idle"), phone("in-call"), phone("ringing"), phone("offline"), chat("away", "lunch"), chat("available"), chat("dnd"), chat("unavailable"));
const personEvents = fc.oneof(
  fc.record({ type: fc.constant("phone.changed"), presence: presences, at: now }),
  fc.record({ type: fc.constant("chat.changed"), presence: presences, at: now }),
  fc.record({ type: fc.constant("echo.received"), side: fc.constantFrom("sip", "xmpp"), presence: maybe(presences), at: now }),
  fc.record({ type: fc.constant("debounce.elapsed"), at: now }),
);

const plainActions = (actions: readonly { type: string; params?: unknown }[]) => actions.map((a) => ({ type: a.type, params: a.params }));

function sameAsXstate(machine: AnyStateMachine, input: unknown, events: fc.Arbitrary<object>): void {
  const pure = pureTransition(machine, input as never);
  const pureInitial = pureInitialTransition(machine, input as never);
  const [first, firstActions] = pureInitial(input as never);
  const [expected, expectedActions] = initialTransition(machine, input as never);
  expect({ value: first.value, context: first.context, actions: plainActions(firstActions) })
    .toEqual({ value: expected.value, context: expected.context, actions: plainActions(expectedActions) });
  fc.assert(
    fc.property(fc.array(events, { maxLength: 25 }), (script) => {
      let [mine] = pureInitial(input as never);
      let [theirs] = initialTransition(machine, input as never);
      for (const raw of script) {
        const event = strip(raw) as never;
        const [a, aActions] = transition(machine, theirs, event);
        const [b, bActions] = pure(mine, event);
        expect({ value: b.value, context: b.context, status: b.status, actions: plainActions(bActions) })
          .toEqual({ value: a.value, context: a.context, status: a.status, actions: plainActions(aActions) });
        [theirs, mine] = [a, b];
      }
    }),
    { numRuns: 300 },
  );
}

describe("pureTransition gives what xstate's transition() gives", () => {
  it("sip-subscriber", () => sameAsXstate(sipSubscriberMachine, { id: "s", expires: 600 }, subscriberEvents));
  it("sip-notifier, pre-approved or not", () => {
    sameAsXstate(sipNotifierMachine, { preApproved: false }, notifierEvents);
    sameAsXstate(sipNotifierMachine, { preApproved: true }, notifierEvents);
  });
  it("sip-publisher", () => sameAsXstate(sipPublisherMachine, { id: "p", expires: 600 }, publisherEvents));
  it("subscription (RFC 6121)", () => sameAsXstate(subscriptionMachine, {}, subscriptionEvents));
  it("person-sync", () => sameAsXstate(personSyncMachine, { person: juliet, policy: policy() }, personEvents));
});
