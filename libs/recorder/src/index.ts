// The recorder library: the browser SDK (see docs/architecture.md). Its first code arrives with its feature.
export {};
