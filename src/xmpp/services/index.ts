/** The iq services of the component: disco, gateway prompt, ping, version, vCard. */
export { createServices, type ServicesOptions } from "./router.js";
export { CONTACT_CAPS, CONTACT_INFO, domainInfo } from "./disco.js";
export { CAPS_NODE, capsString, capsVer, type DiscoIdentity, type DiscoInfo } from "./caps.js";
export { NS as SERVICE_NS } from "./namespaces.js";
