import type { App } from '../app';

export const DEMO_PASSWORD = 'demo123';
export const DEMO_USERS = ['demo_growth', 'demo_value', 'demo_balanced'];

export async function seedDemo(_app: App): Promise<void> {
  // Filled in by the demo-data work.
}
