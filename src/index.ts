export * from './core';
export * from './serving';
export * from './training';
export * from './delivery';
export * from './capacity';
export * from './observability';
export * from './platform';
export * from './policy';
