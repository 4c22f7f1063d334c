/**
 * One event through each lifecycle machine, as the adapters run it on every NOTIFY,
 * change or refresh: XState's own `transition()` beside machines/pure-transition.ts,
 * which the adapters use (same results: test/unit/machines/pure-transition.test.ts).
 */
import { initialTransition, transition, type AnyStateMachine } from "xstate";
import { pureTransition } from "../machines/pure-transition.js";
import { sipNotifierMachine } from "../machines/sip-notifier.machine.js";
import { sipSubscriberMachine } from "../machines/sip-subscriber.machine.js";
import { measure, type Figure } from "./harness.js";

export const title = "Lifecycle machines: one event, XState transition() and the project's pure transition";

function pair(name: string, machine: AnyStateMachine, input: unknown, prefix: readonly object[], event: (i: number) => object): Figure[] {
  let [snapshot] = initialTransition(machine, input as never);
  for (const e of prefix) [snapshot] = transition(machine, snapshot, e as never);
  const pure = pureTransition(machine, input as never);
  let i = 0;
  const options = { ops: 20_000, runs: 5 };
  return [
    measure(`${name}: xstate transition()`, () => transition(machine, snapshot, event(i++) as never), options),
    measure(`${name}: pureTransition (in use)`, () => pure(snapshot, event(i++) as never), options),
  ];
}

export function run(): Figure[] {
  return [
    ...pair("sip-subscriber, NOTIFY active in an active subscription", sipSubscriberMachine, { id: "s", expires: 3600 },
      [{ type: "subscribe.start", now: 1 }, { type: "notify.received", now: 2, state: "active", expires: 3600 }],
      (i) => ({ type: "notify.received", now: 10 + i, state: "active", expires: 3600 })),
    ...pair("sip-notifier, presence change of an active dialog", sipNotifierMachine, { preApproved: true },
      [{ type: "subscribe.received", now: 1, expires: 3600 }],
      () => ({ type: "presence.changed" })),
  ];
}
