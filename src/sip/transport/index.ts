export { NodeSipTransport } from "./transport.js";
export type {
  Clock,
  ListenAddress,
  LogFields,
  SipProtocol,
  SipTimers,
  SipTlsOptions,
  SipTransportLimits,
  SipTransportLogger,
  SipTransportOptions,
  TimerHandle,
} from "./options.js";
export { systemClock, silentLogger } from "./options.js";
export type { DnsClient, Hop, NaptrRecord, SipTarget, SrvRecord } from "./resolver.js";
export { nodeDnsClient, resolveTarget } from "./resolver.js";
export { grammarIsPatched } from "./grammar-check.js";
