/**
 * One step of a relation: the machine's pure transition, then its named
 * actions turned into a new record (deadlines as data) and a list of effects
 * to run after the commit. A subscription request delivered to the contact
 * goes through the approval policy, which may continue with an approval or a
 * denial in the same step.
 */
import type { PureTransition } from "../../machines/pure-transition.js";
import type {
  SubscriptionActionName,
  SubscriptionEvent,
  SubscriptionMachine,
  SubscriptionStateName,
} from "../../machines/subscription.machine.js";
import type { ApprovalDecision, ApprovalPolicy, Logger, SubscriptionRecord } from "./ports.js";
import { flagsOfState, stateOfRecord } from "./subscriptions-record.js";
import type { BackoffOptions, SubscriptionEffects, SubscriptionStanzaKind } from "./subscriptions-types.js";

/** The working state of one call on one relation. */
export interface Work {
  readonly contact: string;
  readonly watcher: string;
  readonly now: number;
  /** The relation as it stands after the steps so far (not yet committed). */
  record: SubscriptionRecord | undefined;
  /** Whether a `persist` was named: the record must be written. */
  dirty: boolean;
  readonly effects: (() => void)[];
  readonly actions: SubscriptionActionName[];
  decision?: ApprovalDecision;
}

export interface StepDeps {
  readonly machine: SubscriptionMachine;
  readonly transition: PureTransition<SubscriptionMachine>;
  readonly policy: ApprovalPolicy;
  readonly effects: SubscriptionEffects;
  readonly logger: Logger;
  readonly resend: BackoffOptions;
  readonly decision: BackoffOptions;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Delay number `attempt` (0 = the first) of an exponential back-off. */
export function backoffDelay(options: BackoffOptions, attempt: number): number {
  return Math.min(options.maxMs, options.firstMs * options.factor ** Math.min(attempt, 64));
}

/** The stanza an event hands to the contact, for `deliverToContact`. */
function deliveredKind(event: SubscriptionEvent): SubscriptionStanzaKind | undefined {
  switch (event.type) {
    case "subscribe.received":
    case "decision.due":
      return "subscribe";
    case "subscribed.received":
      return "subscribed";
    case "unsubscribe.received":
      return "unsubscribe";
    case "unsubscribed.received":
      return "unsubscribed";
    default:
      return undefined;
  }
}

export function runStep(work: Work, event: SubscriptionEvent, deps: StepDeps): void {
  const previous = work.record;
  const snapshot = deps.machine.resolveState({
    value: stateOfRecord(previous),
    context: { preApproved: previous?.preApproved ?? false },
  });
  const [next, actions] = deps.transition(snapshot, event);
  const state = next.value as SubscriptionStateName;
  const record: Mutable<SubscriptionRecord> = {
    ...(previous ?? { contact: work.contact, watcher: work.watcher, updatedAt: work.now }),
    ...flagsOfState(state),
    preApproved: next.context.preApproved,
  };
  // XEP-0172: the nick the watcher gave with its request, kept for the gateway's decision.
  if (event.type === "subscribe.received" && event.nick !== undefined) record.nick = event.nick;
  const { contact, watcher } = work;
  const fx = deps.effects;
  let cascade: SubscriptionEvent | undefined;
  const send = (kind: SubscriptionStanzaKind): void => {
    work.effects.push(() => fx.sendToWatcher(contact, watcher, kind));
  };

  for (const action of actions) {
    const name = action.type as SubscriptionActionName;
    work.actions.push(name);
    switch (name) {
      case "deliverToContact": {
        const kind = deliveredKind(event);
        if (kind === "subscribe") cascade = decide(work, record, deps);
        else if (kind !== undefined) work.effects.push(() => fx.deliverToContact(contact, watcher, kind));
        break;
      }
      case "sendSubscribe":
        send("subscribe");
        break;
      case "sendSubscribed":
        send("subscribed");
        break;
      case "sendUnsubscribe":
        send("unsubscribe");
        break;
      case "sendUnsubscribed":
        send("unsubscribed");
        break;
      case "sendPresence":
        work.effects.push(() => fx.sendPresence(contact, watcher));
        break;
      case "sendUnavailable":
        work.effects.push(() => fx.sendUnavailable(contact, watcher));
        break;
      case "armResend": {
        // The first arming starts the back-off; each `resend.due` moves one step on.
        const count = event.type === "resend.due" ? (previous?.resendCount ?? 0) + 1 : 0;
        record.resendCount = count;
        record.resendAt = work.now + backoffDelay(deps.resend, count);
        break;
      }
      case "disarmResend":
        delete record.resendAt;
        delete record.resendCount;
        break;
      case "armDecision": {
        const count = event.type === "decision.due" ? (previous?.askCount ?? 0) + 1 : 0;
        record.askCount = count;
        record.decideBy = work.now + backoffDelay(deps.decision, count);
        break;
      }
      case "disarmDecision":
        delete record.decideBy;
        delete record.askCount;
        break;
      case "persist":
        work.dirty = true;
        record.updatedAt = work.now;
        break;
    }
  }
  work.record = record;
  // The policy answered for the contact: its approval or denial follows in the same commit.
  if (cascade !== undefined) runStep(work, cascade, deps);
}

/** Asks the policy about a request delivered to the contact; returns the contact's answer, if any. */
function decide(work: Work, record: SubscriptionRecord, deps: StepDeps): SubscriptionEvent | undefined {
  let decision: ApprovalDecision;
  try {
    decision = deps.policy.decide(work.contact, work.watcher);
  } catch (error) {
    deps.logger.error("subscription.policy-failed", { contact: work.contact, watcher: work.watcher, reason: String(error) });
    decision = "defer";
  }
  work.decision = decision;
  if (decision === "approve") return { type: "approval.sent" };
  if (decision === "deny") return { type: "denial.sent" };
  const { contact, watcher } = work;
  const nick = record.nick;
  work.effects.push(() => deps.effects.askDecision(contact, watcher, nick));
  return undefined;
}
