import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root, both from src/ (tests) and from the compiled dist/src/. */
export const PROJECT_ROOT = existsSync(path.resolve(__dirname, '..', 'package.json'))
  ? path.resolve(__dirname, '..')
  : path.resolve(__dirname, '..', '..');
