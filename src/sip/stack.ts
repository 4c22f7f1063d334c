/**
 * The one place that builds sip.js's `UserAgentCore` (LIBRARIES.md §1 "Two layers"): the core
 * level, without `UserAgent`, over {@link NodeSipTransport}. It gives
 * - the UAC side a way to send any request with any From ({@link SipStack.makeRequest},
 *   {@link SipStack.send}, digest through a {@link RequestAuthenticator});
 * - the UAS side a hook that sees incoming requests before the core's checks
 *   ({@link SipStack.onIncomingRequest}), and the core itself for dialogs and transactions.
 *
 * Why the core level: at the API level the From is fixed to the UA's aor, responses whose Via
 * carries a port are dropped, and `Subscriber`/`Publisher` have the traps LIBRARIES.md lists.
 */
import { randomBytes } from "node:crypto";
import { Core, Grammar, type URI } from "sip.js";
import { fail, ok, type Result } from "../errors.js";
import type { Clock, Logger } from "../gateway/ports.js";
import "./stack-branch.js";
import { sipJsLoggerFactory } from "./stack-logger.js";
import type {
  IncomingRequestHandler,
  IncomingRequestHookOptions,
  RequestAuthenticator,
  RequestOutcome,
  RequestSpec,
  SendOptions,
  SipStackOptions,
} from "./stack-types.js";
import { NodeSipTransport, systemClock, type SipProtocol } from "./transport/index.js";

export type * from "./stack-types.js";

interface Hook {
  readonly handler: IncomingRequestHandler;
  readonly scope: NonNullable<IncomingRequestHookOptions["scope"]>;
}

/** A non-INVITE server transaction for methods sip.js's core has no class for (PUBLISH …). */
export class NonInviteServer extends Core.UserAgentServer {
  constructor(core: Core.UserAgentCore, message: Core.IncomingRequestMessage) {
    super(Core.NonInviteServerTransaction, core, message);
  }
}

export class SipStack {
  readonly core: Core.UserAgentCore;
  readonly transport: NodeSipTransport;
  readonly aor: URI;
  /** `sip:user@host:port;transport=…`, without angle brackets. */
  readonly contactUri: string;
  readonly clock: Clock;
  readonly logger: Logger;
  private readonly hooks: Hook[] = [];
  private readonly authenticator: RequestAuthenticator | undefined;
  private readonly parserLogger: Core.Logger;
  private stopped = false;

  private constructor(options: SipStackOptions, transport: NodeSipTransport, protocol: SipProtocol, port: number, host: string) {
    this.transport = transport;
    this.logger = options.logger;
    this.clock = options.clock ?? systemClock;
    this.authenticator = options.authenticator;
    const aor = Grammar.URIParse(options.aor);
    if (!aor) throw new Error(`the stack's aor is not a SIP URI: ${options.aor}`);
    this.aor = aor;
    const user = options.contactUser ?? aor.user ?? "presence-bridge";
    const hostPart = host.includes(":") ? `[${host}]` : host;
    this.contactUri = `sip:${user}@${hostPart}:${port}${protocol === "udp" ? "" : `;transport=${protocol}`}`;
    const contactUri = Grammar.URIParse(this.contactUri);
    if (!contactUri) throw new Error(`cannot build a Contact from ${this.contactUri}`);
    const contactText = `<${this.contactUri}>`;
    const loggerFactory = sipJsLoggerFactory(options.logger);
    this.parserLogger = loggerFactory.getLogger("sip.parser");
    this.core = new Core.UserAgentCore({
      aor,
      contact: { pubGruu: undefined, tempGruu: undefined, uri: contactUri, toString: () => contactText },
      displayName: "",
      loggerFactory,
      hackViaTcp: false,
      routeSet: [],
      sipjsId: randomBytes(3).toString("hex").slice(0, 5),
      supportedOptionTags: [],
      supportedOptionTagsResponse: [],
      userAgentHeaderFieldValue: `presence-bridge/${options.version}`,
      // RFC 3581: ask for rport; at core level the Via may carry our port (the UserAgent would drop the responses).
      viaForceRport: true,
      viaHost: `${hostPart}:${port}`,
      // Digest goes through our RequestAuthenticator (MD5 and SHA-256, preemptive); sip.js's is MD5-only.
      authenticationFactory: () => undefined,
      transportAccessor: () => this.transport,
    });
    transport.onMessage = (text) => this.receive(text);
  }

  /** Binds the transport's sockets and builds the core over them. */
  static async start(options: SipStackOptions): Promise<SipStack> {
    const transport = new NodeSipTransport(undefined, { logger: options.logger, ...options.transport, clock: options.clock ?? options.transport.clock });
    await transport.connect();
    const protocol = transport.protocol.toLowerCase() as SipProtocol;
    const bound = transport.address(protocol);
    if (!bound) {
      await transport.disconnect();
      throw new Error(`the ${protocol} transport did not bind`);
    }
    const host = options.advertisedHost ?? bound.address;
    return new SipStack(options, transport, protocol, options.advertisedPort ?? bound.port, host);
  }

  /** Our Contact header value (`<sip:…>`); `user` gives a per-presentity Contact for notifier dialogs. */
  contact(user?: string): string {
    if (user === undefined) return `<${this.contactUri}>`;
    return `<${this.contactUri.replace(/^sip:[^@]*@/, `sip:${user}@`)}>`;
  }

  /**
   * Registers a handler that sees incoming requests before sip.js's core checks; handlers run
   * in registration order until one returns `handled` or `to-core`. Returns the unregister function.
   * A handler that throws gets the request answered 500 (if it had not answered) and is logged.
   */
  onIncomingRequest(handler: IncomingRequestHandler, options: IncomingRequestHookOptions = {}): () => void {
    const hook: Hook = { handler, scope: options.scope ?? "out-of-dialog" };
    this.hooks.push(hook);
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index >= 0) this.hooks.splice(index, 1);
    };
  }

  /** A non-INVITE server transaction for `message` (answer with `accept()` / `reject()`). */
  serverTransaction(message: Core.IncomingRequestMessage): Core.UserAgentServer {
    return new NonInviteServer(this.core, message);
  }

  /** RFC 3261 §8.2.7: a stateless answer (no transaction). */
  replyStateless(message: Core.IncomingRequestMessage, statusCode: number, extraHeaders: string[] = []): void {
    this.core.replyStateless(message, { statusCode, extraHeaders });
  }

  /** Builds a request; the same message object is reused by digest retries (its CSeq grows). */
  makeRequest(spec: RequestSpec): Core.OutgoingRequestMessage {
    const ruri = parseUri(spec.requestUri, "Request-URI");
    const from = spec.from === undefined ? this.aor : parseUri(spec.from, "From");
    const to = spec.to === undefined ? ruri : parseUri(spec.to, "To");
    const extraHeaders = [...(spec.withContact ? [`Contact: ${this.contact()}`] : []), ...(spec.extraHeaders ?? [])];
    const options: Core.OutgoingRequestMessageOptions = {
      ...(spec.callId === undefined ? {} : { callId: spec.callId }),
      ...(spec.fromTag === undefined ? {} : { fromTag: spec.fromTag }),
      ...(spec.toTag === undefined ? {} : { toTag: spec.toTag }),
      ...(spec.cseq === undefined ? {} : { cseq: spec.cseq }),
      ...(spec.fromDisplayName === undefined ? {} : { fromDisplayName: spec.fromDisplayName }),
      routeSet: [...(spec.routeSet ?? [])],
    };
    const body = spec.body === undefined ? undefined
      : { contentDisposition: "render", contentType: spec.body.contentType, content: spec.body.content };
    return this.core.makeOutgoingRequestMessage(spec.method, ruri, from, to, options, extraHeaders, body);
  }

  /**
   * Sends a non-INVITE request in a client transaction and resolves with its final outcome
   * (never rejects). 401/407 go to the authenticator first; a transport error or a timeout
   * comes back as 503/408 with `localFailure` set (RFC 3261 §8.1.3.1).
   */
  send(message: Core.OutgoingRequestMessage, options: SendOptions = {}): Promise<RequestOutcome> {
    this.authenticator?.prepare(message);
    return new Promise((resolve) => {
      let retries = 0;
      const finish = (response: Core.IncomingResponse): void => {
        const statusCode = response.message.statusCode ?? 0;
        // sip.js's own 408/503 for a transaction timeout or a transport error carry no headers.
        const local = response.message.getHeader("call-id") === undefined;
        resolve({
          response: response.message,
          statusCode,
          ...(local ? { localFailure: statusCode === 408 ? "timeout" as const : "transport-error" as const } : {}),
        });
      };
      const start = (): void => {
        new Core.UserAgentClient(Core.NonInviteClientTransaction, this.core, message, {
          onAccept: finish,
          onRedirect: finish,
          onProgress: (response) => options.onProgress?.(response.message),
          onReject: (response) => {
            const status = response.message.statusCode;
            if ((status === 401 || status === 407) && this.authenticator?.answer(message, response.message, retries)) {
              retries++;
              // RFC 3261 §22.2: the retry is a new request in the same call: CSeq + 1.
              message.cseq += 1;
              message.setHeader("cseq", `${message.cseq} ${message.method}`);
              start();
              return;
            }
            finish(response);
          },
        });
      };
      if (this.stopped) {
        const response = new Core.IncomingResponseMessage();
        response.statusCode = 503;
        response.reasonPhrase = "Service Unavailable";
        resolve({ response, statusCode: 503, localFailure: "transport-error" });
        return;
      }
      start();
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.core.dispose();
    await this.transport.disconnect();
  }

  private receive(text: string): void {
    const message = Core.Parser.parseMessage(text, this.parserLogger);
    if (!message) {
      this.logger.warn("sip.message.unparsable", {});
      return;
    }
    if (message instanceof Core.IncomingResponseMessage) {
      this.core.receiveIncomingResponseFromTransport(message);
      return;
    }
    if (message instanceof Core.IncomingRequestMessage) this.receiveRequest(message);
  }

  private receiveRequest(message: Core.IncomingRequestMessage): void {
    if (this.stopped) return;
    const inDialog = message.toTag !== undefined;
    // Retransmissions of a request whose server transaction lives, ACK and CANCEL: the core's business.
    const known = this.core.userAgentServers.has(message.viaBranch);
    if (!known && message.method !== "ACK" && message.method !== "CANCEL") {
      for (const hook of [...this.hooks]) {
        if (hook.scope === "out-of-dialog" && inDialog) continue;
        if (hook.scope === "in-dialog" && !inDialog) continue;
        const disposition = this.runHook(hook, message);
        if (disposition === "handled") return;
        if (disposition === "to-core") {
          this.toCoreAnyUser(message);
          return;
        }
      }
    }
    // In a dialog the dialog id is the real check (an unknown one gets 481, RFC 3261 §12.2.2),
    // and the Request-URI is whatever Contact we gave, so skip the core's R-URI user check.
    if (inDialog) this.toCoreAnyUser(message);
    else this.core.receiveIncomingRequestFromTransport(message);
  }

  private runHook(hook: Hook, message: Core.IncomingRequestMessage): string {
    try {
      return hook.handler(message);
    } catch (error) {
      this.logger.error("sip.request.handler-failed", {
        method: message.method, callId: message.callId, reason: error instanceof Error ? error.message : String(error),
      });
      if (!this.core.userAgentServers.has(message.viaBranch)) this.replyStateless(message, 500);
      return "handled";
    }
  }

  /**
   * sip.js's core answers 404 unless the Request-URI user is its aor's (LIBRARIES.md §1). The
   * gateway serves many users, so the aor is swapped for the R-URI for the synchronous call:
   * the core does all of its dispatch before it returns.
   */
  private toCoreAnyUser(message: Core.IncomingRequestMessage): void {
    const saved = this.core.configuration.aor;
    if (message.ruri) this.core.configuration.aor = message.ruri;
    try {
      this.core.receiveIncomingRequestFromTransport(message);
    } finally {
      this.core.configuration.aor = saved;
    }
  }
}

/** A SIP or SIPS URI, or the typed error for an address we cannot send to. */
export function checkSipUri(text: string, what: string): Result<URI> {
  const uri = Grammar.URIParse(text);
  if (!uri || typeof uri !== "object" || (uri.scheme !== "sip" && uri.scheme !== "sips")) {
    return fail("invalid-uri", `${what} is not a SIP URI`, undefined, text);
  }
  return ok(uri);
}

function parseUri(text: string, what: string): URI {
  const uri = Grammar.URIParse(text);
  if (!uri) throw new Error(`${what} is not a SIP URI: ${text}`);
  return uri;
}
