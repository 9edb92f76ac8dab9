// Filled by the training work; re-exported from src/index.ts.
export {};
