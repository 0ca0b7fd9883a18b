import pino from 'pino';
import { config } from './config';

/** One structured logger; secrets never reach it (passwords and tokens are redacted by path). */
export const logger = pino({
  level: config().LOG_LEVEL,
  redact: [
    'password',
    '*.password',
    'token',
    '*.token',
    'authorization',
    '*.authorization',
    'req.headers.authorization',
  ],
});
