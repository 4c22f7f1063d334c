/** The config schema and loader: one file, PRESENCE_BRIDGE_* variables, one typed frozen value. */
export type { Config, PeopleConfig, SipConfig, SipListenConfig, ContactsConfig, LogConfig, MappingConfig, StoreConfig, SubscriptionsConfig, XmppConfig } from "./types.js";
export { loadConfig, type ConfigSource } from "./load.js";
export { CONFIG_SCHEMA } from "./schema.js";
export { ENV_PREFIX, envKeys } from "./env.js";
