export * from './postgres.js';
export * from './server.js';
export * from './raw-socket.js';
export * from './browser.js';
export * from './test-client.js';
export * from './nats.js';
export * from './cluster-device.js';
export * from './free-port.js';
