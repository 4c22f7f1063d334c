/**
 * The pure part of person-sync: who wins between the phone and the chat side, what each
 * route must carry, and which incoming values are the bridge's own coming back.
 *
 * ## What each side is told (the decision this file encodes)
 *
 * - **Chat side** (`tellChat`): the presence of the person's bridged contact JID
 *   (`1001@sip.example.com`), sent to that contact's XMPP watchers. An XEP-0114 component
 *   can only send from its own domain (XEP-0114 §2; servers reject a forged `from`), so it
 *   cannot rewrite what `juliet@capulet.lit` herself broadcasts: the contact JID *is* the
 *   bridged view of the person, and its status text says "On the phone" during a call.
 *   Policy `chatView`: `"person"` (default) shows the merged person view below;
 *   `"phone"` shows the phone alone (the contact is only the desk phone).
 * - **SIP side** (`tellSip`), per the publish mode (RFC 3903 roles):
 *   - `notify`: the bridge is the notifier (the compositor) for the person's SIP watchers,
 *     so it sends the whole merged person view, the phone's call included;
 *   - `publish`: the bridge is one publisher (an EPA) beside the phone at the PBX's
 *     compositor, so it PUBLISHes only what the chat side says. The PBX already holds the
 *     phone's state: publishing it back would be the echo (RFC 4479: two services of one
 *     person, composed by the compositor, not by each publisher).
 *
 * ## Merge precedence (the person view), first row that applies
 *
 * | phone                         | chat          | person view |
 * |-------------------------------|---------------|-------------|
 * | engaged (ringing, dialing, in a call, on hold) | anything | phone |
 * | not engaged or unknown        | available     | chat        |
 * | available                     | unavailable or unknown | phone |
 * | unavailable or unknown        | unavailable   | chat        |
 * | unavailable                   | unknown       | phone       |
 * | unknown                       | unknown       | none        |
 *
 * So a call beats chat "available"; chat dnd while the phone is idle stays dnd; a phone
 * that is offline while the chat user is online shows the chat state.
 */
import type { isEngaged, presenceEquals } from "../src/presence/index.js";
import type { Presence, Side } from "../src/presence/types.js";

/**
 * The presence core's pure functions the machine uses. Machines import types only
 * (STYLE.md), so the gateway hands the real ones in (`src/gateway/person-sync.ts`).
 */
export interface PresenceOps {
  readonly equals: typeof presenceEquals;
  readonly isEngaged: typeof isEngaged;
  /**
   * Whether `side` would show `a` and `b` alike, in its own terms: an echo comes back
   * through that side's vocabulary (a stanza the bridge sent returns as `<show/>` and
   * `<status/>`, without the phone state it was made from), so it is compared there.
   */
  readonly shownAlike: (side: Side, a: Presence, b: Presence) => boolean;
}

/** Where the chat side's view of the person comes from. */
export type ChatView = "person" | "phone";

export interface SyncPolicy {
  /** Flapping window in ms; 0 tells at once. */
  readonly debounceMs: number;
  /**
   * How long a value the bridge sent to one side is expected back from it, in ms. Every
   * equal value on that input within the window is dropped as the echo (a PBX may NOTIFY
   * a PUBLISH back more than once); after it, an equal value is news again.
   */
  readonly echoWindowMs: number;
  readonly chatView: ChatView;
  /** The bridge NOTIFYs the person's SIP watchers (it is their notifier). */
  readonly notify: boolean;
  /** The bridge PUBLISHes the chat state to the PBX's presence server. */
  readonly publish: boolean;
}

export const DEFAULT_SYNC_POLICY: SyncPolicy = Object.freeze({
  debounceMs: 250,
  echoWindowMs: 2_000,
  chatView: "person",
  notify: true,
  publish: false,
});

/** What each route carries after a decision; absent when the route has nothing to say. */
export interface Views {
  readonly chat?: Presence;
  readonly notify?: Presence;
  readonly publish?: Presence;
}
export type Route = keyof Views;
export const ROUTES: readonly Route[] = ["chat", "notify", "publish"];

/** A value the bridge sent that may come back on `side` until `until` (ms since epoch). */
export interface Expectation {
  readonly side: Side;
  readonly presence: Presence;
  readonly until: number;
}

/** Same content: what a watcher would see. Origin and the tuples behind it do not count. */
const CONTENT = Object.freeze({ ignoreOrigin: true, ignoreEntries: true });

export const sameContent = (ops: PresenceOps, a: Presence | undefined, b: Presence | undefined): boolean =>
  a === undefined || b === undefined ? a === b : ops.equals(a, b, CONTENT);

/**
 * Same for the SIP side: a chat-side value is rendered as one PIDF tuple per resource
 * (RFC 8048 §6.2, src/mapping/egress.ts), so there a resource that comes or goes under
 * the same leading state is news; other values compare by content.
 */
const WITH_TUPLES = Object.freeze({ ignoreOrigin: true });

export const sameForSip = (ops: PresenceOps, a: Presence | undefined, b: Presence | undefined): boolean =>
  a === undefined || b === undefined
    ? a === b
    : a.origin.side === "xmpp" && b.origin.side === "xmpp"
      ? ops.equals(a, b, WITH_TUPLES)
      : ops.equals(a, b, CONTENT);

/** The merge precedence table above. */
export function personView(ops: PresenceOps, phone: Presence | undefined, chat: Presence | undefined): Presence | undefined {
  if (phone !== undefined && ops.isEngaged(phone)) return phone;
  if (chat?.availability === "available") return chat;
  if (phone?.availability === "available") return phone;
  return chat ?? phone;
}

export function viewsOf(
  ops: PresenceOps,
  phone: Presence | undefined,
  chat: Presence | undefined,
  policy: SyncPolicy,
): Views {
  const person = personView(ops, phone, chat);
  const chatView = policy.chatView === "phone" ? phone : person;
  // A value that came from SIP is never published back to SIP.
  const publish = policy.publish && chat !== undefined && chat.origin.side !== "sip" ? chat : undefined;
  const notify = policy.notify ? person : undefined;
  return {
    ...(chatView === undefined ? {} : { chat: chatView }),
    ...(notify === undefined ? {} : { notify }),
    ...(publish === undefined ? {} : { publish }),
  };
}

/** The routes whose view differs from what was last told on them. */
export function changedViews(ops: PresenceOps, views: Views, told: Views): Views {
  const out: { -readonly [R in Route]?: Presence } = {};
  for (const route of ROUTES) {
    const view = views[route];
    if (view !== undefined && !(route === "chat" ? sameContent : sameForSip)(ops, view, told[route])) out[route] = view;
  }
  return out;
}

/** The side a route's values reach. */
export const sideOf = (route: Route): Side => (route === "chat" ? "xmpp" : "sip");

/**
 * Expectations still open at `at`, plus one per value just told to the *other* side.
 * A value told back to the side it came from (the phone's own state in a NOTIFY view)
 * is not expected back: if it returns it is that side's own news, and expecting it
 * would drop a real phone flap (in a call → on hold → in a call) as an echo.
 */
export function expectEchoes(
  ops: PresenceOps,
  open: readonly Expectation[],
  told: Views,
  at: number,
  windowMs: number,
): readonly Expectation[] {
  const next = open.filter((e) => e.until >= at);
  if (windowMs <= 0) return next;
  for (const route of ROUTES) {
    const presence = told[route];
    const side = sideOf(route);
    if (presence === undefined || presence.origin.side === side) continue;
    const same = next.findIndex((e) => e.side === side && sameContent(ops, e.presence, presence));
    if (same >= 0) next.splice(same, 1);
    next.push({ side, presence, until: at + windowMs });
  }
  return next;
}

/** Index of the open expectation on `side` that `presence` fulfils at `at`, or -1. */
export function expectedEcho(
  ops: PresenceOps,
  open: readonly Expectation[],
  side: Side,
  presence: Presence,
  at: number,
): number {
  return open.findIndex((e) => e.side === side && e.until >= at && ops.shownAlike(side, e.presence, presence));
}

/**
 * A value arriving on `side` that says by its origin that the bridge made it: a value
 * from the other side can only reach this input through the bridge, and the contact
 * JID speaks only through the bridge.
 */
export function isOwnByOrigin(presence: Presence, side: Side, contact: string): boolean {
  const origin = presence.origin;
  if (origin.side !== side) return true;
  return side === "xmpp" && origin.entity === contact;
}
