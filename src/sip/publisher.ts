/**
 * The SIP publisher (RFC 3903) at sip.js's core level: per (presentity, event) the latest
 * body and one sip-publisher machine (pure transitions, one scheduler). At most one PUBLISH in
 * flight per presentity; changes meanwhile are coalesced into the latest body.
 */
import type { SnapshotFrom } from "xstate";
import { ok, type Result } from "../errors.js";
import type { BackoffPolicy } from "../../machines/sip-retry.js";
import { pureInitialTransition, pureTransition } from "../../machines/pure-transition.js";
import { sipPublisherMachine, type PublisherEvent, type SendPublishParams } from "../../machines/sip-publisher.machine.js";
import type { DialogStore, SipBody, SipEventPackage, SipPublicationStatus, SipPublisherPort, SipUacEvents } from "../gateway/ports.js";
import { KeyedDeadlineScheduler } from "../timing/deadline-scheduler.js";
import { Pacer } from "./stack-pacer.js";
import { checkSipUri, type SipStack } from "./stack.js";
import type { RequestOutcome } from "./stack-types.js";

const transition = pureTransition(sipPublisherMachine, { id: "", expires: 3600 });
const initialTransition = pureInitialTransition(sipPublisherMachine, { id: "", expires: 3600 });
import { numberHeader, retryAfterSeconds } from "./subscriber-headers.js";

export interface SipPublisherOptions {
  readonly stack: SipStack;
  readonly events: Pick<SipUacEvents, "onPublicationStatus">;
  /** Where publications (entity-tag, latest body) are kept across a restart (role `publisher`). */
  readonly store?: DialogStore;
  /** Seconds asked for in PUBLISH (default 3600). */
  readonly expires?: number;
  readonly backoff?: BackoffPolicy;
  /** PUBLISHes in flight at once over all presentities (default 256). */
  readonly maxInFlight?: number;
  /**
   * Send the body with refreshes too (a modify with the same body, RFC 3903 §4.1 allows it).
   * Default false: refreshes carry no body, as RFC 3903 §4.1 says. Set it for ESCs that lose
   * the state on a body-less refresh — Kamailio 5.6 with `publ_cache=2` does (its later
   * watchers get an empty NOTIFY; see test/integration/sip-uac.int.test.ts).
   */
  readonly refreshWithBody?: boolean;
}

type Snapshot = SnapshotFrom<typeof sipPublisherMachine>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Publication {
  readonly key: string;
  readonly presentity: string;
  readonly event: SipEventPackage;
  from: string;
  /** The state the gateway wants published: the only body ever sent (never a queue of them). */
  latest: SipBody | undefined;
  snapshot: Snapshot;
  generation: number;
}

interface PersistedPublication {
  readonly presentity: string;
  readonly event: SipEventPackage;
  readonly from: string;
  readonly latest: SipBody | undefined;
  readonly value: string;
  readonly context: Snapshot["context"];
}

export class SipPublisher implements SipPublisherPort {
  private readonly publications = new Map<string, Publication>();
  private readonly scheduler: KeyedDeadlineScheduler<"refresh.due" | "retry.due">;
  private readonly pacer: Pacer;
  /** PUBLISH requests sent, by kind (the benchmark's count). */
  readonly sent = { initial: 0, modify: 0, refresh: 0, remove: 0 };

  constructor(private readonly options: SipPublisherOptions) {
    this.scheduler = new KeyedDeadlineScheduler({ clock: options.stack.clock, onDue: (key, due) => this.onDue(key, due) });
    this.pacer = new Pacer(options.maxInFlight ?? 256);
  }

  /** Publishes `body` as the state of `presentity` (From defaults to the presentity itself, as phones do). */
  publish(presentity: string, body: SipBody, options: { event?: SipEventPackage; from?: string } = {}): Result<void> {
    const target = checkSipUri(presentity, "the presentity");
    if (!target.ok) return target;
    if (options.from !== undefined) {
      const sender = checkSipUri(options.from, "the From");
      if (!sender.ok) return sender;
    }
    const publication = this.publicationOf(presentity, options.event ?? "presence", options.from);
    publication.latest = body;
    this.dispatch(publication, { type: "publish.requested" });
    return ok(undefined);
  }

  unpublish(presentity: string, options: { event?: SipEventPackage } = {}): void {
    const publication = this.publications.get(`${presentity} ${options.event ?? "presence"}`);
    if (publication) this.dispatch(publication, { type: "unpublish.requested" });
  }

  /** The publication's machine state and entity-tag (tests, metrics). */
  stateOf(presentity: string, event: SipEventPackage = "presence"): { state: string; etag: string | undefined } | undefined {
    const p = this.publications.get(`${presentity} ${event}`);
    return p && { state: String(p.snapshot.value), etag: p.snapshot.context.etag };
  }

  restore(): number {
    const store = this.options.store;
    if (!store) return 0;
    let count = 0;
    for (const record of [...store.listDialogs("publisher")]) {
      const state = record.state as Partial<PersistedPublication> | null;
      if (!state || typeof state.presentity !== "string" || typeof state.from !== "string" || (state.event !== "presence" && state.event !== "dialog") ||
        typeof state.value !== "string" || typeof state.context !== "object") {
        this.options.stack.logger.warn("sip.publication.restore-skipped", { id: record.id, reason: "malformed record" });
        store.deleteDialog(record.id);
        continue;
      }
      const publication = this.publicationOf(state.presentity, state.event, state.from);
      publication.latest = state.latest;
      publication.snapshot = sipPublisherMachine.resolveState({ value: state.value as never, context: state.context as Snapshot["context"] });
      this.dispatch(publication, { type: "publication.resumed" });
      count++;
    }
    return count;
  }

  stop(): void {
    this.scheduler.clear();
  }

  private publicationOf(presentity: string, event: SipEventPackage, from: string | undefined): Publication {
    const key = `${presentity} ${event}`;
    let publication = this.publications.get(key);
    if (!publication) {
      const [snapshot] = initialTransition({
        id: key, expires: this.options.expires ?? 3600, ...(this.options.backoff ? { backoff: this.options.backoff } : {}),
      });
      publication = { key, presentity, event, from: from ?? presentity, latest: undefined, snapshot, generation: 0 };
      this.publications.set(key, publication);
    } else if (from !== undefined) {
      publication.from = from;
    }
    return publication;
  }

  private dispatch(publication: Publication, event: DistributiveOmit<PublisherEvent, "now">): void {
    const [snapshot, actions] = transition(publication.snapshot, { ...event, now: this.options.stack.clock.now() } as PublisherEvent);
    publication.snapshot = snapshot;
    for (const action of actions) this.execute(publication, action.type, action.params);
    const store = this.options.store;
    if (!store) return;
    const id = `publisher:${publication.key}`;
    if (snapshot.value === "idle" || snapshot.value === "failed") {
      store.deleteDialog(id);
      return;
    }
    const state: PersistedPublication = {
      presentity: publication.presentity, event: publication.event, from: publication.from, latest: publication.latest,
      value: String(snapshot.value), context: snapshot.context,
    };
    store.putDialog({ id, role: "publisher", state, expiresAt: snapshot.context.expiresAt });
  }

  private execute(publication: Publication, type: string, params: unknown): void {
    switch (type) {
      case "sendPublish":
        this.send(publication, params as SendPublishParams);
        return;
      case "scheduleRefresh":
        this.scheduler.set(publication.key, (params as { at: number }).at, "refresh.due");
        return;
      case "scheduleRetry":
        this.scheduler.set(publication.key, (params as { at: number }).at, "retry.due");
        return;
      case "cancelTimers":
        this.scheduler.delete(publication.key);
        return;
      case "reportState": {
        const status = params as SipPublicationStatus;
        if (status.state === "failed") {
          this.options.stack.logger.warn("sip.publication.failed", { presentity: publication.presentity, status: status.statusCode, reason: status.reason });
        }
        this.options.events.onPublicationStatus(publication.presentity, publication.event, status);
        return;
      }
      default:
        return;
    }
  }

  private send(publication: Publication, params: SendPublishParams): void {
    const generation = ++publication.generation;
    // RFC 3903 §4.1: initial and modify carry the body; refresh and remove none (unless configured, above).
    const withBody = params.kind === "initial" || params.kind === "modify" || (params.kind === "refresh" && this.options.refreshWithBody === true);
    const body = withBody ? publication.latest : undefined;
    const spec = {
      method: "PUBLISH",
      requestUri: publication.presentity,
      from: publication.from,
      to: publication.presentity,
      extraHeaders: [
        `Event: ${publication.event}`, `Expires: ${params.expires}`,
        ...(params.etag === undefined ? [] : [`SIP-If-Match: ${params.etag}`]),
      ],
      ...(body === undefined ? {} : { body }),
    };
    this.sent[params.kind]++;
    this.pacer.run((done) => {
      const stack = this.options.stack;
      let message: ReturnType<SipStack["makeRequest"]>;
      try {
        message = stack.makeRequest(spec);
      } catch (error) {
        // Addresses are checked in publish(); only a damaged restored record gets here.
        stack.logger.error("sip.publication.unsendable", { presentity: publication.presentity, reason: error instanceof Error ? error.message : String(error) });
        done();
        this.dispatch(publication, { type: "request.failed", status: 400 });
        return;
      }
      void stack.send(message).then((outcome) => {
        done();
        if (generation === publication.generation) this.dispatch(publication, eventOf(outcome));
      });
    });
  }

  private onDue(key: string, due: "refresh.due" | "retry.due"): void {
    const publication = this.publications.get(key);
    if (publication) this.dispatch(publication, { type: due });
  }
}

function eventOf(outcome: RequestOutcome): DistributiveOmit<PublisherEvent, "now"> {
  const { response, statusCode } = outcome;
  if (outcome.localFailure === "transport-error") return { type: "transport.failed" };
  if (statusCode >= 200 && statusCode < 300) {
    const etag = response.getHeader("sip-etag")?.trim();
    const expires = numberHeader(response, "expires");
    return { type: "publish.accepted", ...(etag ? { etag } : {}), ...(expires === undefined ? {} : { expires }) };
  }
  const retryAfter = retryAfterSeconds(response);
  const minExpires = numberHeader(response, "min-expires");
  return {
    type: "request.failed", status: statusCode,
    ...(retryAfter === undefined ? {} : { retryAfter }), ...(minExpires === undefined ? {} : { minExpires }),
  };
}
