// The launchers live in lab/servers (the live demo uses them too); this keeps the tests' imports short.
export * from "../../lab/servers/free-port.js";
