export * from './json';
export * from './qido';
export * from './qido-walk';
export * from './multipart';
export * from './stow';
export * from './negotiation';
export * from './bulk-data';
export * from './multipart-stream';
