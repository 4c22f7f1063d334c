/**
 * Where notifier dialogs begin: an out-of-dialog SUBSCRIBE (RFC 6665 §4.2.1: 200, then a
 * NOTIFY at once) or a record in the DialogStore after a restart.
 */
import { randomBytes } from "node:crypto";
import { Core } from "sip.js";
import { pureInitialTransition } from "../../machines/pure-transition.js";
import { sipNotifierMachine } from "../../machines/sip-notifier.machine.js";
import type { ApprovalDecision, SipWatcher } from "../gateway/ports.js";
import { contactFor, type Subscription } from "./notifier-dialog.js";
import type { Notifier } from "./notifier.js";
import { dialogKey, readRecord, restoreDialogState } from "./notifier-record.js";

const initialTransition = pureInitialTransition(sipNotifierMachine, { preApproved: false });
import { checkInitialSubscribe } from "./notifier-subscribe.js";

/** RFC 3261 §19.3: to-tags with at least 32 random bits; 96 here, since the tag is also what makes a refresh ours. */
const newTag = (): string => randomBytes(12).toString("base64url");

/** The stack's hook for an out-of-dialog SUBSCRIBE. */
export function startSubscription(notifier: Notifier, message: Core.IncomingRequestMessage): "handled" {
  const { stack, access, resolve, events } = notifier.options;
  const uas = stack.serverTransaction(message);
  const fields = { callId: message.callId, watcher: message.from?.uri.toString(), ruri: message.ruri?.toString() };
  const refuse = (statusCode: number, reasonPhrase: string, problem: string, extraHeaders: readonly string[] = []): "handled" => {
    notifier.logger.info("sip.subscribe.rejected", { ...fields, status: statusCode, reason: problem });
    uas.reject({ statusCode, reasonPhrase, extraHeaders: [...extraHeaders] });
    return "handled";
  };
  const verdict = access.check(message);
  if (!verdict.allowed) return refuse(verdict.status, verdict.reason, verdict.problem, verdict.extraHeaders);
  const checked = checkInitialSubscribe(message, resolve, notifier.limits);
  if (!checked.ok) return refuse(checked.status, checked.reason, checked.problem, checked.extraHeaders);

  const toTag = newTag();
  const key = dialogKey(message.callId, toTag, message.fromTag);
  const fetch = checked.expires === 0;
  const watcher: SipWatcher = {
    dialogId: key,
    presentity: checked.presentity.id,
    watcher: checked.watcher,
    event: checked.event,
    ...(verdict.by === "digest" && verdict.user !== undefined ? { authenticatedUser: verdict.user } : {}),
  };
  let decision: ApprovalDecision;
  try {
    // RFC 8048 §5.3: a new SUBSCRIBE becomes an XMPP subscribe; a fetch, a probe (§7).
    decision = fetch ? events.watcherFetched(watcher) : events.watcherSubscribed(watcher);
  } catch (error) {
    notifier.logger.error("sip.notifier.callback-failed", { ...fields, reason: error instanceof Error ? error.message : String(error) });
    return refuse(500, "Server Internal Error", "callback-failed");
  }
  if (decision === "deny") return refuse(403, "Forbidden", "policy-denied");

  const contact = contactFor(notifier.options.stack, checked.presentity);
  // RFC 3261 §12.1.1: a dialog-creating 2xx copies the Record-Route values in order (sip.js does so only for INVITE).
  const recordRoutes = message.getHeaders("record-route").map((value) => `Record-Route: ${value}`);
  uas.accept({ statusCode: 200, toTag, extraHeaders: [...recordRoutes, `Expires: ${checked.expires}`, `Contact: ${contact}`] });
  notifier.logger.info(fetch ? "sip.subscribe.fetched" : "sip.subscribe.accepted", {
    ...fields, presentity: checked.presentity.id, event: checked.event, expires: checked.expires, decision,
  });

  // The route set is the request's Record-Route in order, the remote target its Contact.
  const state = Core.Dialog.initialDialogStateForUserAgentServer(message, toTag);
  const [snapshot] = initialTransition({ preApproved: decision === "approve" });
  const sub = notifier.attach(stack.core, state, {
    key,
    presentity: checked.presentity,
    watcher: checked.watcher,
    event: checked.event,
    eventHeader: checked.eventHeader,
    ...(watcher.authenticatedUser === undefined ? {} : { authenticatedUser: watcher.authenticatedUser }),
    fetch,
    contact,
    snapshot,
    version: 0,
    finished: false,
  });
  notifier.add(sub);
  notifier.dispatch(sub, { type: "subscribe.received", now: notifier.clock.now(), expires: checked.expires });
  return "handled";
}

/** Rebuilds every persisted notifier dialog; expired ones end with a NOTIFY at once. */
export function restoreAll(notifier: Notifier): void {
  const { store, stack, resolve } = notifier.options;
  let restored = 0;
  for (const record of [...store.listDialogs("notifier")]) {
    const saved = readRecord(record);
    const state = saved === undefined ? undefined : restoreDialogState(saved.dialog);
    if (saved === undefined || state === undefined) {
      notifier.logger.warn("sip.notifier.record-dropped", { dialogId: record.id, reason: "unreadable" });
      store.deleteDialog(record.id);
      continue;
    }
    if (stack.core.dialogs.has(state.id)) continue;
    const snapshot = sipNotifierMachine.resolveState({ value: saved.value, context: saved.context });
    const sub: Subscription = notifier.attach(stack.core, state, {
      key: record.id,
      presentity: saved.presentity,
      watcher: saved.watcher,
      event: saved.event,
      eventHeader: saved.eventHeader,
      ...(saved.authenticatedUser === undefined ? {} : { authenticatedUser: saved.authenticatedUser }),
      fetch: false,
      contact: contactFor(notifier.options.stack, saved.presentity),
      snapshot,
      version: saved.version,
      finished: false,
    });
    notifier.add(sub);
    restored++;
    // The bridge may have stopped serving it while down: RFC 6665 §4.1.3 noresource.
    const served = resolve(saved.dialog.localUri);
    if (served === undefined || served.id !== saved.presentity.id) notifier.dispatch(sub, { type: "presentity.removed" });
    // RFC 6665 §4.2.2: expired while the bridge was down: say so now.
    else if (saved.context.expiresAt <= notifier.clock.now()) notifier.dispatch(sub, { type: "expiry.due", now: notifier.clock.now() });
    else notifier.arm(sub, saved.context.expiresAt);
  }
  if (restored > 0) notifier.logger.info("sip.notifier.restored", { dialogs: restored, watchers: notifier.watchers().length });
}

