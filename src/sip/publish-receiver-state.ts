/**
 * The RFC 3903 event state compositor's bookkeeping, pure: what one PUBLISH does to
 * the publications of a presentity and how it is answered. Time comes in as `now`;
 * entity-tags come from an injected generator. The sip.js side (publish-receiver.ts)
 * turns the outcome into a response, timers and the gateway's callback.
 */
import { parseSipBody } from "../pidf/index.js";
import type { SipEventPackage, SipPublication } from "../gateway/ports.js";

export interface PublishLimits {
  /** RFC 3903 §6 step 5: shorter asks get 423 with this Min-Expires (default 60 s). */
  readonly minExpires: number;
  /** Longer asks are lowered to this (default 3600 s). */
  readonly maxExpires: number;
  /** Without an Expires header (default 3600 s; RFC 3856 §3.3 suggests an hour for presence). */
  readonly defaultExpires: number;
  /** A presentity keeps at most this many publications; the oldest goes first (default 16). */
  readonly maxPerPresentity: number;
}

export const DEFAULT_PUBLISH_LIMITS: PublishLimits = { minExpires: 60, maxExpires: 3600, defaultExpires: 3600, maxPerPresentity: 16 };

/** Media types accepted per event package (RFC 3856 §6.5, RFC 4235 §4; XPIDF and CPIM-PIDF as Asterisk and older phones send them). */
export const ACCEPTED_TYPES: Readonly<Record<SipEventPackage, readonly string[]>> = {
  presence: ["application/pidf+xml", "application/xpidf+xml", "application/cpim-pidf+xml"],
  dialog: ["application/dialog-info+xml"],
};

export interface PublishInput {
  readonly presentity: string;
  readonly event: SipEventPackage;
  /** SIP-If-Match. */
  readonly ifMatch?: string;
  /** The Expires header, undefined when absent. */
  readonly expires?: number;
  readonly body?: { readonly contentType: string; readonly content: string };
  readonly publisher: string;
  readonly now: number;
}

export type PublishOperation = "initial" | "refresh" | "modify" | "remove";

export type PublishOutcome =
  | {
    readonly status: 200;
    readonly operation: PublishOperation;
    /** Absent after a removal. */
    readonly etag?: string;
    readonly expires: number;
    /** The publication replaced or removed (its timer must go). */
    readonly previousEtag?: string;
    /** Publications dropped to stay under the per-presentity cap. */
    readonly evicted: readonly string[];
    /** False for a refresh: the state did not change, the gateway need not hear of it. */
    readonly stateChanged: boolean;
  }
  | {
    readonly status: 400 | 412 | 415 | 423;
    readonly reason: string;
    readonly extraHeaders: readonly string[];
    /** For the log: `bad-body:not-well-formed`, `unknown-etag` … */
    readonly problem: string;
  };

const reject = (status: 400 | 412 | 415 | 423, reason: string, problem: string, extraHeaders: readonly string[] = []): PublishOutcome =>
  ({ status, reason, problem, extraHeaders });

const mediaType = (contentType: string): string => (contentType.split(";", 1)[0] ?? "").trim().toLowerCase();

/** The publications of every presentity, by entity-tag. */
export class PublicationTable {
  private readonly byPresentity = new Map<string, Map<string, SipPublication>>();

  constructor(
    private readonly limits: PublishLimits,
    private readonly newEtag: () => string,
  ) {}

  /** Every current publication of a presentity, oldest update first. */
  list(presentity: string): readonly SipPublication[] {
    const all = [...(this.byPresentity.get(presentity)?.values() ?? [])];
    return all.sort((a, b) => a.updatedAt - b.updatedAt);
  }

  get(presentity: string, etag: string): SipPublication | undefined {
    return this.byPresentity.get(presentity)?.get(etag);
  }

  get size(): number {
    let n = 0;
    for (const m of this.byPresentity.values()) n += m.size;
    return n;
  }

  /** RFC 3903 §6, steps 4–8 (the R-URI, Event and authentication were checked before). */
  apply(input: PublishInput): PublishOutcome {
    const publications = this.byPresentity.get(input.presentity);
    const existing = input.ifMatch === undefined ? undefined : publications?.get(input.ifMatch);
    // Step 4: an entity-tag we do not hold (expired, or from before a restart) → 412; the EPA publishes afresh.
    if (input.ifMatch !== undefined && (existing === undefined || existing.event !== input.event)) {
      return reject(412, "Conditional Request Failed", "unknown-etag");
    }
    // Step 5: Expires.
    const requested = input.expires ?? this.limits.defaultExpires;
    if (requested > 0 && requested < this.limits.minExpires) {
      return reject(423, "Interval Too Brief", "interval-too-brief", [`Min-Expires: ${this.limits.minExpires}`]);
    }
    const expires = Math.min(requested, this.limits.maxExpires);
    if (expires === 0) {
      // RFC 3903 Table 1: removal names its state with SIP-If-Match.
      if (existing === undefined) return reject(400, "Removal Needs SIP-If-Match", "remove-without-etag");
      publications?.delete(existing.etag);
      this.forgetIfEmpty(input.presentity);
      return { status: 200, operation: "remove", expires: 0, previousEtag: existing.etag, evicted: [], stateChanged: true };
    }
    if (input.body === undefined) {
      // Table 1: an initial publication carries a body.
      if (existing === undefined) return reject(400, "Initial PUBLISH Needs A Body", "initial-without-body");
      const refreshed: SipPublication = { ...existing, etag: this.newEtag(), expiresAt: input.now + expires * 1000 };
      publications?.delete(existing.etag);
      publications?.set(refreshed.etag, refreshed);
      return { status: 200, operation: "refresh", etag: refreshed.etag, expires, previousEtag: existing.etag, evicted: [], stateChanged: false };
    }
    // Steps 6–7: the body must be of a type the event package takes, and well-formed.
    const accepted = ACCEPTED_TYPES[input.event];
    const type = mediaType(input.body.contentType);
    if (!accepted.includes(type)) {
      return reject(415, "Unsupported Media Type", `unsupported-type:${type === "" ? "none" : type}`, [`Accept: ${accepted.join(", ")}`]);
    }
    const document = parseSipBody(input.body.content, input.body.contentType);
    if (!document.ok) {
      const where = document.error.at === undefined ? "" : ` at ${document.error.at}`;
      return reject(400, `Bad ${input.event === "dialog" ? "Dialog-Info" : "Presence"} Body (${document.error.code}${where})`,
        `bad-body:${document.error.code}`, [`Warning: 399 presence-bridge "${document.error.message.replace(/["\\]/g, "")}"`]);
    }
    const publication: SipPublication = {
      etag: this.newEtag(),
      event: input.event,
      body: { contentType: input.body.contentType, content: input.body.content },
      document: document.value,
      publisher: input.publisher,
      expiresAt: input.now + expires * 1000,
      updatedAt: input.now,
    };
    const table = publications ?? new Map<string, SipPublication>();
    if (existing !== undefined) table.delete(existing.etag);
    table.set(publication.etag, publication);
    this.byPresentity.set(input.presentity, table);
    const evicted = this.evict(table);
    return {
      status: 200,
      operation: existing === undefined ? "initial" : "modify",
      etag: publication.etag,
      expires,
      ...(existing === undefined ? {} : { previousEtag: existing.etag }),
      evicted,
      stateChanged: true,
    };
  }

  /** The timer of a publication fired: drop it if it is really due. True when something was removed. */
  expire(presentity: string, etag: string, now: number): boolean {
    const table = this.byPresentity.get(presentity);
    const publication = table?.get(etag);
    if (!table || !publication || publication.expiresAt > now) return false;
    table.delete(etag);
    this.forgetIfEmpty(presentity);
    return true;
  }

  /** Drops every publication of a presentity (no longer served); returns their entity-tags. */
  clear(presentity: string): string[] {
    const etags = [...(this.byPresentity.get(presentity)?.keys() ?? [])];
    this.byPresentity.delete(presentity);
    return etags;
  }

  private evict(table: Map<string, SipPublication>): string[] {
    const evicted: string[] = [];
    while (table.size > this.limits.maxPerPresentity) {
      const oldest = [...table.values()].reduce((a, b) => (b.updatedAt < a.updatedAt ? b : a));
      table.delete(oldest.etag);
      evicted.push(oldest.etag);
    }
    return evicted;
  }

  private forgetIfEmpty(presentity: string): void {
    if (this.byPresentity.get(presentity)?.size === 0) this.byPresentity.delete(presentity);
  }
}
