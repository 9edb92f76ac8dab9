// Filled by the capacity work; re-exported from src/index.ts.
export {};
