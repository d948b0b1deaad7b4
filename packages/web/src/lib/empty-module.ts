// Stands in for Node-only packages (`ws`) in the browser bundle; see vite.config.ts.
export default undefined;
