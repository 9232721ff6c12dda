// Docker HEALTHCHECK for the whmcs-mcp image. When the container serves HTTP (`serve --http`),
// /healthz must answer 200; a stdio server has no port, so a running process is all there is.
import { readFileSync } from 'node:fs';

function servesHttp() {
  try {
    return readFileSync('/proc/1/cmdline', 'utf8').split('\0').includes('--http');
  } catch {
    return false;
  }
}

if (!servesHttp()) process.exit(0);
const port = process.env.MCP_HTTP_PORT || '8080';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
