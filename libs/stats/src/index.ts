// The stats library: pure logic with no I/O (see docs/architecture.md). Its first code arrives with its feature.
export {};
