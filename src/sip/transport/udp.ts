/** One UDP socket: one datagram is one message (RFC 3261 §18.1.1). */
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { ListenAddress, SipTransportLogger } from "./options.js";

export interface UdpPeer {
  readonly address: string;
  readonly port: number;
}

export class UdpEndpoint {
  private socket: Socket | undefined;

  constructor(
    private readonly listen: ListenAddress,
    private readonly logger: SipTransportLogger,
    private readonly onDatagram: (bytes: Buffer, peer: UdpPeer) => void,
  ) {}

  async open(): Promise<void> {
    const socket = createSocket({ type: isIPv6(this.listen.host) ? "udp6" : "udp4" });
    socket.on("message", (bytes, info) => this.onDatagram(bytes, { address: info.address, port: info.port }));
    socket.on("error", (error) => this.logger.warn("sip.udp.error", { reason: error.message }));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(this.listen.port, this.listen.host, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  address(): UdpPeer | undefined {
    const info = this.socket?.address();
    return info === undefined ? undefined : { address: info.address, port: info.port };
  }

  send(bytes: Buffer, address: string, port: number): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error("UDP socket is closed"));
    return new Promise((resolve, reject) => socket.send(bytes, port, address, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
