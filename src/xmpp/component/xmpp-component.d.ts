/**
 * The part of @xmpp/component 0.13.1 (CommonJS, no bundled types, no @types package)
 * that the component link uses. Read from node_modules/@xmpp/component/index.js and
 * @xmpp/connection 0.13.3 (LIBRARIES.md §2).
 */
declare module "@xmpp/component" {
  import type { EventEmitter } from "node:events";
  import type { Element } from "ltx";

  /** `status` and the events of the same names. */
  export type ConnectionStatus =
    | "offline" | "connecting" | "connect" | "opening" | "open" | "online"
    | "closing" | "close" | "disconnecting" | "disconnect";

  /** @xmpp/error: a stream error (`StreamError`) or a stanza error, by its RFC 6120 condition. */
  export interface XmppError extends Error {
    readonly condition: string;
    readonly text?: string;
  }

  export interface Component extends EventEmitter {
    status: ConnectionStatus;
    readonly options: { readonly service: string; readonly domain: string };
    /** The library's fixed-delay reconnect (1 s); stopped by the link, which has its own back-off. */
    readonly reconnect: { stop(): void; start(): void; delay: number };
    /** The socket of the current connection; null when offline. */
    socket: { destroy(): void; end(): void; setEncoding(encoding: "utf8"): void; cork(): void; uncork(): void } | null;
    connect(service: string): Promise<void>;
    open(options: { domain: string; lang?: string }): Promise<unknown>;
    /** Closes the stream, waits for the server's close (2 s at most), closes the socket. */
    stop(): Promise<unknown>;
    disconnect(timeoutMs?: number): Promise<void>;
    /** Throws synchronously while offline (`this.jid` is null) when the stanza has no `from`. */
    send(element: Element): Promise<void>;
    on(event: "stanza" | "nonza" | "element", listener: (element: Element) => void): this;
    on(event: "error", listener: (error: XmppError | Error) => void): this;
    on(event: "status", listener: (status: ConnectionStatus, detail?: unknown) => void): this;
    on(event: "input" | "output", listener: (text: string) => void): this;
    on(event: ConnectionStatus, listener: (detail?: unknown) => void): this;
  }

  export interface ComponentOptions {
    /** `xmpp://host:port`. */
    readonly service: string;
    readonly domain: string;
    readonly password: string | ((authenticate: (secret: string) => Promise<void>) => Promise<void>);
  }

  export function component(options: ComponentOptions): Component;
}
