// Integration tests log only when asked to (LOG_LEVEL=debug npm test).
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV = 'test';
