/**
 * One notifier dialog on sip.js's core: the `Core.Dialog` the core routes in-dialog
 * requests to (its id is Call-ID + tags), and the NOTIFY sender with its rule:
 * at most one NOTIFY in flight per dialog; what is sent is the latest state at send
 * time, so changes that arrive meanwhile are coalesced and stale bodies never queue.
 */
import { Core, Grammar } from "sip.js";
import type { SnapshotFrom } from "xstate";
import type { SendNotifyParams, SipNotifierMachine } from "../../machines/sip-notifier.machine.js";
import type { Clock, ServedPresentity, SipWatcher, TimerHandle } from "../gateway/ports.js";
import type { SipStack } from "./stack.js";
import { persistDialogState, type PersistedDialogState } from "./notifier-record.js";

export class NotifierDialog extends Core.Dialog {
  constructor(core: Core.UserAgentCore, state: Core.DialogState, private readonly inDialog: (message: Core.IncomingRequestMessage) => void) {
    super(core, state);
  }

  /** Called by the core for requests whose Call-ID and tags match (RFC 3261 §12.2.2). */
  override receiveRequest(message: Core.IncomingRequestMessage): void {
    // RFC 3261 §12.2.2: an out-of-order request gets 500 (sequenceGuard answers it).
    if (!this.sequenceGuard(message)) return;
    super.receiveRequest(message);
    this.inDialog(message);
  }

  /** RFC 6665 §4.1.2.1: a SUBSCRIBE in the dialog is a target refresh request. */
  refreshTarget(message: Core.IncomingRequestMessage): void {
    const contact = message.parseHeader("contact") as { uri?: Core.DialogState["remoteTarget"] } | undefined;
    if (contact?.uri) this.dialogState.remoteTarget = contact.uri;
  }

  persisted(): PersistedDialogState {
    return persistDialogState(this.dialogState);
  }
}

/** What the sender needs from its owner at send time. */
export interface NotifyContent {
  /** The latest Subscription-State wanted, or undefined when nothing is due. */
  readonly params: SendNotifyParams;
  readonly extraHeaders: readonly string[];
  readonly body: { readonly contentType: string; readonly content: string } | undefined;
}

export interface NotifySenderHooks {
  /** Builds the NOTIFY from the state at send time (`params` is the latest the machine asked for). */
  content(params: SendNotifyParams): NotifyContent;
  /** The NOTIFY left (its CSeq is taken): persist the dialog. */
  sent(params: SendNotifyParams): void;
  /** The final response (sip.js turns a timeout into 408 and a transport error into 503). */
  settled(params: SendNotifyParams, statusCode: number): void;
}

/**
 * RFC 6665 §4.2.2 / RFC 3856 §6.4: notifications are rate-limited per dialog. A change
 * of Subscription-State (pending → active, terminated) goes as soon as nothing is in
 * flight; a body-only change also waits `minIntervalMs` after the previous NOTIFY.
 */
export class NotifySender {
  private latest: SendNotifyParams | undefined;
  private stateDue = false;
  private inFlight = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private lastState: string | undefined;
  private timer: TimerHandle | undefined;
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly dialog: NotifierDialog,
    private readonly hooks: NotifySenderHooks,
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    /** Runs a send when the notifier-wide window has room (a Pacer); `release` frees the slot. */
    private readonly gate: (job: (release: () => void) => void) => void = (job) => job(() => {}),
  ) {}

  get busy(): boolean {
    return this.inFlight || this.latest !== undefined;
  }

  /** A NOTIFY is due; the last call before sending decides what goes. */
  request(params: SendNotifyParams): void {
    if (this.closed) return;
    this.latest = params;
    if (params.subscriptionState !== this.lastState) this.stateDue = true;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.latest = undefined;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.inFlight || this.latest === undefined || this.scheduled || this.timer !== undefined) return;
    const wait = this.stateDue ? 0 : this.lastSentAt + this.minIntervalMs - this.clock.now();
    if (wait > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      return;
    }
    // Let the events of one request settle first (e.g. subscribe.received then watcher.approved).
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.closed || this.inFlight || this.latest === undefined) return;
    this.inFlight = true;
    // Wait for a slot among all dialogs' NOTIFYs; what goes is decided when the slot comes.
    this.gate((release) => {
      const params = this.latest;
      if (this.closed || params === undefined) {
        this.inFlight = false;
        release();
        return;
      }
      this.latest = undefined;
      this.stateDue = false;
      this.lastSentAt = this.clock.now();
      this.lastState = params.subscriptionState;
      const content = this.hooks.content(params);
      const done = (statusCode: number): void => {
        release();
        this.inFlight = false;
        this.hooks.settled(params, statusCode);
        this.schedule();
      };
      const body = content.body === undefined ? undefined
        : { contentDisposition: "render", contentType: content.body.contentType, content: content.body.content };
      // The core's NOTIFY client takes any dialog; its d.ts says SessionDialog (LIBRARIES.md §1).
      new Core.NotifyUserAgentClient(this.dialog as unknown as Core.SessionDialog, {
        onAccept: (response) => done(response.message.statusCode ?? 200),
        onRedirect: (response) => done(response.message.statusCode ?? 300),
        onReject: (response) => done(response.message.statusCode ?? 500),
      }, { extraHeaders: [...content.extraHeaders], ...(body === undefined ? {} : { body }) });
      this.hooks.sent(params);
    });
  }
}

/** One subscription: its dialog, its machine snapshot, its NOTIFY sender. */
export interface Subscription {
  /** `callId;localTag;remoteTag` (the record id and the gateway's dialogId). */
  readonly key: string;
  readonly presentity: ServedPresentity;
  readonly watcher: string;
  readonly event: SipWatcher["event"];
  /** The SUBSCRIBE's Event value, echoed in NOTIFYs. */
  readonly eventHeader: string;
  readonly authenticatedUser?: string;
  /** A fetch: never persisted, never reported as a watcher. */
  readonly fetch: boolean;
  /** Our Contact in this dialog. */
  readonly contact: string;
  dialog: NotifierDialog;
  sender: NotifySender;
  snapshot: SnapshotFrom<SipNotifierMachine>;
  /** RFC 4235 §4.1 dialog-info version of the next NOTIFY with a body. */
  version: number;
  timer?: TimerHandle;
  finished: boolean;
}

export function watcherOf(sub: Subscription): SipWatcher {
  return {
    dialogId: sub.key,
    presentity: sub.presentity.id,
    watcher: sub.watcher,
    event: sub.event,
    ...(sub.authenticatedUser === undefined ? {} : { authenticatedUser: sub.authenticatedUser }),
  };
}

/** `<sip:alice@host:port;transport=…>`: our Contact, with the presentity's user part. */
export function contactFor(stack: SipStack, presentity: ServedPresentity): string {
  const user = Grammar.URIParse(presentity.uri)?.user;
  return stack.contact(user === undefined || user === "" ? undefined : user);
}
