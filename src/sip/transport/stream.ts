/**
 * TCP and TLS: a listening server plus a pool of connections keyed by the
 * peer's `ip:port`, reused for outgoing requests and closed when idle.
 */
import { createServer as createTcpServer, connect as tcpConnect, isIP, type Server, type Socket } from "node:net";
import { connect as tlsConnect, createServer as createTlsServer } from "node:tls";
import { StreamFramer, type FrameErrorCode } from "./framing.js";
import type { ListenAddress, ResolvedOptions, TimerHandle } from "./options.js";
import type { Hop } from "./resolver.js";

export type StreamProtocol = "tcp" | "tls";

export interface StreamConnection {
  readonly protocol: StreamProtocol;
  /** `ip:port` of the peer. */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly isOpen: boolean;
  write(bytes: Buffer): Promise<void>;
  close(): void;
}

export interface StreamHandlers {
  onMessage(bytes: Buffer, connection: StreamConnection): void;
  onFrameError(code: FrameErrorCode | "truncated", head: Buffer | undefined, connection: StreamConnection): void;
  onClosed(connection: StreamConnection): void;
}

const plainAddress = (address: string | undefined): string => (address ?? "").replace(/^::ffff:/, "");

class Connection implements StreamConnection {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  private readonly framer: StreamFramer;
  private lastActive: number;
  private idleTimer: TimerHandle | undefined;

  constructor(
    readonly protocol: StreamProtocol,
    private readonly socket: Socket,
    private readonly options: ResolvedOptions,
    private readonly handlers: StreamHandlers,
    private readonly onGone: (connection: Connection) => void,
  ) {
    this.address = plainAddress(socket.remoteAddress);
    this.port = socket.remotePort ?? 0;
    this.key = `${this.address}:${this.port}`;
    this.framer = new StreamFramer(options.maxMessageBytes);
    this.lastActive = options.clock.now();
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.onEnd());
    socket.on("error", (error) => options.logger.debug("sip.stream.error", { peer: this.key, reason: error.message }));
    socket.on("close", () => this.gone());
    this.armIdle(options.idleTimeoutMs);
  }

  get isOpen(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  write(bytes: Buffer): Promise<void> {
    this.lastActive = this.options.clock.now();
    return new Promise((resolve, reject) => this.socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.lastActive = this.options.clock.now();
    for (const event of this.framer.push(chunk)) {
      if (event.type === "message") this.handlers.onMessage(event.bytes, this);
      // RFC 5626 §4.4.1: answer a CRLFCRLF ping with a CRLF pong.
      else if (event.type === "ping") this.socket.write("\r\n");
      else {
        this.handlers.onFrameError(event.code, event.head, this);
        this.socket.end();
      }
    }
  }

  /** The peer half-closed: a message still waiting for body bytes will never be complete. */
  private onEnd(): void {
    if (this.framer.buffered > 0) this.handlers.onFrameError("truncated", this.framer.pendingHead(), this);
    this.socket.end();
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.options.clock.setTimeout(() => {
      const idle = this.options.clock.now() - this.lastActive;
      if (idle >= this.options.idleTimeoutMs) {
        this.options.logger.debug("sip.stream.idle-close", { peer: this.key });
        this.socket.end();
        this.socket.destroySoon();
      } else this.armIdle(this.options.idleTimeoutMs - idle);
    }, ms);
  }

  private gone(): void {
    if (this.idleTimer) this.options.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.onGone(this);
  }
}

export class StreamEndpoint {
  private server: Server | undefined;
  private readonly connections = new Map<string, Connection>();
  private readonly connecting = new Map<string, Promise<Connection>>();

  constructor(
    readonly protocol: StreamProtocol,
    private readonly listen: ListenAddress,
    private readonly options: ResolvedOptions,
    private readonly handlers: StreamHandlers,
  ) {}

  async open(): Promise<void> {
    const onSocket = (socket: Socket): void => {
      if (this.connections.size >= this.options.maxConnections) {
        this.options.logger.warn("sip.stream.refused", { peer: `${plainAddress(socket.remoteAddress)}:${socket.remotePort}` });
        socket.destroy();
        return;
      }
      this.adopt(socket);
    };
    const tls = this.options.tls;
    // allowHalfOpen: a peer that half-closes still gets its 400 (RFC 4475 clerr on a stream).
    const server = this.protocol === "tls" && tls
      ? createTlsServer({ key: tls.key, cert: tls.cert, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false, allowHalfOpen: true }, onSocket)
      : createTcpServer({ allowHalfOpen: true }, onSocket);
    server.on("tlsClientError", (error: Error) => this.options.logger.warn("sip.tls.client-error", { reason: error.message }));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listen.port, this.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (error) => this.options.logger.error("sip.stream.server-error", { reason: error.message }));
    this.server = server;
  }

  address(): { readonly address: string; readonly port: number } | undefined {
    const info = this.server?.address();
    return info === null || info === undefined || typeof info === "string" ? undefined : { address: info.address, port: info.port };
  }

  find(key: string): StreamConnection | undefined {
    const connection = this.connections.get(key);
    return connection?.isOpen ? connection : undefined;
  }

  /** An open connection to the hop, reused when one exists (keyed by `ip:port`). */
  async connectTo(hop: Hop): Promise<StreamConnection> {
    const key = `${hop.address}:${hop.port}`;
    const existing = this.find(key);
    if (existing) return existing;
    const pending = this.connecting.get(key) ?? this.dial(hop, key);
    this.connecting.set(key, pending);
    try {
      return await pending;
    } finally {
      this.connecting.delete(key);
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections.values()]) connection.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private adopt(socket: Socket): Connection {
    const connection = new Connection(this.protocol, socket, this.options, this.handlers, (gone) => {
      if (this.connections.get(gone.key) === gone) this.connections.delete(gone.key);
      this.handlers.onClosed(gone);
    });
    this.connections.set(connection.key, connection);
    return connection;
  }

  private dial(hop: Hop, key: string): Promise<Connection> {
    const tls = this.options.tls;
    const socket = this.protocol === "tls"
      ? tlsConnect({
          host: hop.address,
          port: hop.port,
          servername: tls?.servername ?? (isIP(hop.serverName.replace(/^\[|\]$/g, "")) ? undefined : hop.serverName),
          ca: tls?.ca,
          cert: tls?.cert,
          key: tls?.key,
          rejectUnauthorized: tls?.rejectUnauthorized ?? true,
        })
      : tcpConnect({ host: hop.address, port: hop.port });
    const ready = this.protocol === "tls" ? "secureConnect" : "connect";
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${key} timed out`));
      }, this.options.connectTimeoutMs);
      socket.once("error", (error) => {
        this.options.clock.clearTimeout(timer);
        reject(error);
      });
      socket.once(ready, () => {
        this.options.clock.clearTimeout(timer);
        resolve(this.adopt(socket));
      });
    });
  }
}
