/**
 * RFC 6665 §4.4.3 / RFC 3856 §3.3 fetch: SUBSCRIBE with Expires: 0, one NOTIFY with the current
 * state (usually `terminated;reason=timeout`), nothing to refresh. At core level, because
 * sip.js's `Subscriber` with `expires: 0` re-subscribes forever on that very NOTIFY.
 */
import type { SipEventPackage, SipFetchResult } from "../gateway/ports.js";
import type { SipStack } from "./stack.js";
import { dialogKey, newDialog, subscribeSpec } from "./subscriber-dialog.js";
import type { DialogRef, FetchNotify } from "./subscriber-types.js";

export interface FetchArgs {
  readonly stack: SipStack;
  /** The subscriber's NOTIFY routing table: the fetch's dialog is registered there while it runs. */
  readonly dialogs: Map<string, DialogRef>;
  readonly presentity: string;
  readonly event: SipEventPackage;
  readonly from: string;
  readonly timerNMs: number;
}

export function fetchOnce(args: FetchArgs): Promise<SipFetchResult> {
  const { stack, presentity, event } = args;
  const dialog = newDialog(presentity);
  const key = dialogKey(dialog.callId, dialog.localTag);
  return new Promise((resolve) => {
    let settled = false;
    const timers: ReturnType<SipStack["clock"]["setTimeout"]>[] = [];
    const finish = (result: SipFetchResult): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) stack.clock.clearTimeout(timer);
      args.dialogs.delete(key);
      resolve(result);
    };
    const onNotify = (notify: FetchNotify): void =>
      finish({ ok: true, notification: { presentity, event, body: notify.body, subscriptionState: notify.state } });
    args.dialogs.set(key, { kind: "fetch", event, onNotify });
    // RFC 6665 §4.1.2.4 Timer N: the NOTIFY may never come.
    timers.push(stack.clock.setTimeout(() => finish({ ok: false, statusCode: 408, reason: "no NOTIFY within Timer N" }), args.timerNMs));
    const message = stack.makeRequest(subscribeSpec({ dialog, from: args.from, presentity, event, expires: 0 }));
    void stack.send(message).then((outcome) => {
      if (outcome.statusCode >= 300 || outcome.statusCode < 200) {
        finish({ ok: false, statusCode: outcome.statusCode, reason: outcome.localFailure ?? outcome.response.reasonPhrase ?? "" });
      }
      // A 2xx: the NOTIFY is on its way (or already came).
    });
  });
}
