export { createApp, type AppOptions } from './app.js';
export { startServer, type RunningServer, type StartServerOptions } from './server.js';
export { isLoopbackHost } from './loopback.js';
