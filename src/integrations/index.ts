export * from './ray';
