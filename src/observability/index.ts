// Filled by the observability work; re-exported from src/index.ts.
export {};
