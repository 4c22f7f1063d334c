/**
 * A scriptable RFC 6665 notifier on a second SipStack, for the subscriber's unit tests:
 * records every SUBSCRIBE, answers as told, and NOTIFYs inside the dialogs it created.
 */
import { randomBytes } from "node:crypto";
import { Core } from "sip.js";
import type { SipStack } from "../../../src/sip/stack.js";

export interface SubscribeSeen {
  readonly method: string;
  readonly callId: string;
  readonly toTag: string | undefined;
  readonly cseq: number;
  readonly event: string | undefined;
  readonly accept: string | undefined;
  readonly expires: number;
  readonly contact: string | undefined;
  readonly ruri: string;
}

/** What the notifier does with a SUBSCRIBE: a status (and headers), and whether to NOTIFY at once. */
export interface Reply {
  readonly status: number;
  readonly headers?: string[];
  /** Subscription-State of the immediate NOTIFY after a 2xx (default `active;expires=<granted>`); null: none. */
  readonly notify?: string | null;
  readonly body?: string;
}

export class FakeDialog extends Core.Dialog {
  constructor(core: Core.UserAgentCore, state: Core.DialogState, private readonly owner: FakeNotifier) {
    super(core, state);
  }

  /** Sends a NOTIFY in this dialog; resolves with the watcher's status code. */
  notify(subscriptionState: string, body?: string, event = this.owner.event): Promise<number> {
    return new Promise((resolve) => {
      new Core.NotifyUserAgentClient(this as unknown as Core.SessionDialog, {
        onAccept: (r) => resolve(r.message.statusCode ?? 0),
        onReject: (r) => resolve(r.message.statusCode ?? 0),
      }, {
        extraHeaders: [`Event: ${event}`, `Subscription-State: ${subscriptionState}`, `Contact: ${this.owner.stack.contact()}`],
        ...(body === undefined ? {} : { body: { contentDisposition: "render", contentType: this.owner.contentType, content: body } }),
      });
    });
  }

  override receiveRequest(message: Core.IncomingRequestMessage): void {
    if (!this.sequenceGuard(message)) return;
    super.receiveRequest(message);
    const reply = this.owner.seen(message);
    const uas = new Core.ReSubscribeUserAgentServer(this, message);
    const expires = Number(message.getHeader("expires") ?? "3600");
    if (reply.status >= 300) {
      uas.reject({ statusCode: reply.status, extraHeaders: reply.headers ?? [] });
      return;
    }
    uas.accept({ statusCode: reply.status, extraHeaders: [`Expires: ${expires}`, `Contact: ${this.owner.stack.contact()}`, ...(reply.headers ?? [])] });
    if (expires === 0) {
      void this.notify("terminated;reason=timeout", reply.body);
      this.dispose();
    } else if (reply.notify !== null) {
      void this.notify(reply.notify ?? `active;expires=${expires}`, reply.body);
    }
  }
}

export class FakeNotifier {
  readonly subscribes: SubscribeSeen[] = [];
  readonly dialogs: FakeDialog[] = [];
  /** Decides each SUBSCRIBE's answer (default 200 + NOTIFY active with `body`). */
  reply: (seen: SubscribeSeen) => Reply = () => ({ status: 200, body: this.body });
  body = "<presence entity='pres:1001@pbx'/>";

  constructor(readonly stack: SipStack, readonly event = "presence", readonly contentType = "application/pidf+xml") {
    stack.onIncomingRequest((request) => {
      if (request.method !== "SUBSCRIBE") return "pass";
      const reply = this.seen(request);
      const uas = stack.serverTransaction(request);
      if (reply.status >= 300) {
        uas.reject({ statusCode: reply.status, extraHeaders: reply.headers ?? [] });
        return "handled";
      }
      const toTag = randomBytes(6).toString("hex");
      const expires = Number(request.getHeader("expires") ?? "3600");
      uas.accept({ statusCode: reply.status, toTag, extraHeaders: [`Expires: ${expires}`, `Contact: ${stack.contact()}`, ...(reply.headers ?? [])] });
      const dialog = new FakeDialog(stack.core, Core.Dialog.initialDialogStateForUserAgentServer(request, toTag), this);
      this.dialogs.push(dialog);
      if (expires === 0) {
        void dialog.notify("terminated;reason=timeout", reply.body);
        dialog.dispose();
      } else if (reply.notify !== null) {
        void dialog.notify(reply.notify ?? `active;expires=${expires}`, reply.body);
      }
      return "handled";
    });
  }

  /** The URI to subscribe to for `user` at this notifier. */
  uri(user: string): string {
    return this.stack.contactUri.replace(/^sip:[^@]*@/, `sip:${user}@`);
  }

  /** Records a SUBSCRIBE and returns the scripted answer. */
  seen(request: Core.IncomingRequestMessage): Reply {
    const seen: SubscribeSeen = {
      method: request.method, callId: request.callId, toTag: request.toTag, cseq: request.cseq,
      event: request.getHeader("event"), accept: request.getHeader("accept"), expires: Number(request.getHeader("expires") ?? "-1"),
      contact: request.getHeader("contact"), ruri: request.ruri?.toString() ?? "",
    };
    this.subscribes.push(seen);
    return this.reply(seen);
  }

  /** Forgets every dialog, as a restarted server does (its NOTIFY dialogs are gone: refreshes get 481). */
  forgetDialogs(): void {
    for (const dialog of this.dialogs.splice(0)) dialog.dispose();
  }

  dialogOf(callId: string): FakeDialog | undefined {
    return this.dialogs.find((d) => d.callId === callId);
  }
}
