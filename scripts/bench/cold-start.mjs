// Cold start of `whmcs-mcp serve --sandbox` over stdio: spawn to the answer of the first
// tools/list (initialize included), and the idle RSS of that process once it settles.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { serverEnv, startStdioServer } from './stdio-server.mjs';
import { check, processCpuMs, progress, round, scratchDir, settledRss, summarize } from './util.mjs';

/** How long `node -e 0` takes on this machine: the floor under any Node server's cold start. */
function bareNodeStartMs(runs) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    samples.push(performance.now() - started);
  }
  return summarize(samples, 1);
}

export async function measureColdStart({ runs = 10, rssRuns = 3 } = {}) {
  const scratch = scratchDir('cold');
  const toToolsList = [];
  const toInitialize = [];
  const toReady = [];
  const idleRss = [];
  const sdkListTools = [];
  const cpuAtToolsList = [];
  let toolCount;
  let listBytes;
  let unsettled = 0;
  try {
    // One state file for every run: a restart of an installed server, not a first install.
    const env = serverEnv({
      MCP_ENV: 'development',
      MCP_STATE_DB: join(scratch.path, 'state.sqlite'),
    });
    for (let run = 0; run < runs; run += 1) {
      const server = await startStdioServer({ args: ['serve', '--sandbox'], env, cwd: scratch.path });
      // request() rather than listTools(): the SDK client's listTools() also compiles a validator
      // for every output schema, client-side work that is timed apart below.
      const { tools } = await server.client.request({ method: 'tools/list' }, ListToolsResultSchema);
      const listedAt = performance.now();
      const cpuMs = processCpuMs(server.pid);
      if (cpuMs !== null) cpuAtToolsList.push(cpuMs);
      toolCount = tools.length;
      listBytes = Buffer.byteLength(JSON.stringify({ tools }));
      toToolsList.push(listedAt - server.spawnedAt);
      toInitialize.push(server.initializedAt - server.spawnedAt);
      const readyAt = server.readyAt();
      if (readyAt !== undefined) toReady.push(readyAt - server.spawnedAt);
      if (run < rssRuns) {
        const idle = await settledRss(server.pid);
        if (idle.rssMB !== null) idleRss.push(idle.rssMB);
        if (!idle.settled) unsettled += 1;
      }
      const sdkStarted = performance.now();
      await server.client.listTools();
      sdkListTools.push(performance.now() - sdkStarted);
      await server.close();
      progress(`cold start ${run + 1}/${runs}: ${(listedAt - server.spawnedAt).toFixed(0)} ms to tools/list`);
    }
  } finally {
    scratch.remove();
  }
  const coldStart = summarize(toToolsList, 1);
  const rss = summarize(idleRss, 1);
  const bareNode = bareNodeStartMs(5);
  return {
    id: 'cold_start',
    title: 'Cold start over stdio',
    method: [
      `Spawn \`node dist/cli.js serve --sandbox\` with the SDK's StdioClientTransport (stderr piped and drained, MCP_ENV=development, a state file in a temp dir reused across runs), connect (initialize) and send tools/list with Client.request(); time from just before the spawn to the parsed tools/list answer.`,
      "The SDK client's listTools() additionally compiles a JSON Schema validator for every tool's output schema on the client side; that is timed separately (a second tools/list on the started server) and is not part of the cold start.",
      `${runs} runs, one after another. Idle RSS: VmRSS (MB = 10^6 bytes) from /proc/<pid>/status once it moved less than 1% over 1 s (first ${rssRuns} runs). The in-process sandbox (50 clients) is part of that process.`,
      'For scale: `node -e 0` spawned and awaited 5 times.',
    ],
    samples: { cold_start_runs: runs, idle_rss_runs: idleRss.length },
    figures: {
      spawn_to_tools_list_ms: coldStart,
      spawn_to_initialize_ms: summarize(toInitialize, 1),
      spawn_to_server_ready_log_ms: summarize(toReady, 1),
      // CPU the server used up to the tools/list answer: what start-up costs apart from waiting for a core.
      server_cpu_ms_at_tools_list: summarize(cpuAtToolsList, 0),
      tools_listed: toolCount,
      tools_list_reply_bytes: listBytes,
      sdk_client_list_tools_after_start_ms: summarize(sdkListTools, 1),
      idle_rss_mb: rss,
      idle_rss_runs_not_settled_within_5s: unsettled,
      bare_node_start_ms: bareNode,
    },
    checks: [
      check('Cold start p50 (spawn to tools/list)', coldStart.p50, 'ms', 300),
      check('Cold start p90', coldStart.p90, 'ms', 300),
      check('Idle RSS, serve --sandbox (median)', round(rss.p50, 1), 'MB', 80),
    ],
  };
}
