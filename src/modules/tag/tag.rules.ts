export const MAX_ACTIVE_TAGS = 100;
export const MAX_TAGS_PER_STRATEGY = 20;
export const DEFAULT_TAG_COLOR = '#4A90E2';
export const TAG_NAME = /^[A-Za-z0-9 _-]{1,50}$/;
export const TAG_COLOR = /^#[0-9A-Fa-f]{6}$/;
/** Tags archived longer than this are purged by the daily batch. */
export const ARCHIVE_PURGE_DAYS = 90;

export const STARTER_TAGS: { name: string; color: string }[] = [
  { name: 'Growth', color: '#2E7D32' },
  { name: 'Value', color: '#1565C0' },
  { name: 'Dividend', color: '#6A1B9A' },
  { name: 'Speculative', color: '#C62828' },
  { name: 'Core', color: '#37474F' },
  { name: 'Satellite', color: '#00838F' },
  { name: 'Defensive', color: '#558B2F' },
  { name: 'Income', color: '#F9A825' },
  { name: 'Hedge', color: '#4E342E' },
  { name: 'Momentum', color: '#EF6C00' },
];
