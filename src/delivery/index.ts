// Filled by the delivery work; re-exported from src/index.ts.
export {};
