/**
 * An MCP client of the market-analysis agent: the SDK's `Client` over `aauthClientTransport`, so
 * every request is signed by the calling agent and the MAA's challenge for the tool's scope is
 * answered by the agent's `AAuthClient`. Lists the tools, calls `market_outlook`, and returns the
 * outlook with the delegated hop the tool made (the chain the supply-chain agent saw).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { AAuthClient } from '@aauth-ts/agent';
import { aauthClientTransport } from '@aauth-ts/mcp';
import type { DemoConfig } from '../../common/src/config.js';
import { MCP_PATH, OUTLOOK_TOOL, type McpOutlook } from '../../market-analysis-agent/src/mcp-surface.js';

export interface McpOutlookRun {
  /** Names of the tools the MAA lists. */
  readonly tools: readonly string[];
  readonly outlook: McpOutlook;
}

export class McpToolError extends Error {
  override readonly name = 'McpToolError';
  readonly code = 'mcp_tool_error';
}

function outlookOf(result: Awaited<ReturnType<Client['callTool']>>): McpOutlook {
  const content = Array.isArray(result.content) ? result.content as { type?: unknown; text?: unknown }[] : [];
  const text = content.find((c) => c.type === 'text' && typeof c.text === 'string')?.text as string | undefined;
  if (result.isError === true) throw new McpToolError(`${OUTLOOK_TOOL} failed: ${text ?? 'no message'}`);
  if (text === undefined) throw new McpToolError(`${OUTLOOK_TOOL} returned no text content`);
  return JSON.parse(text) as McpOutlook;
}

/** List the MAA's MCP tools and call `market_outlook` as the agent behind `client`. */
export async function mcpOutlook(config: DemoConfig, client: AAuthClient, horizonWeeks = 12): Promise<McpOutlookRun> {
  const mcp = new Client({ name: 'aauth-demo-mcp-client', version: '1.0.0' });
  await mcp.connect(aauthClientTransport(client, new URL(MCP_PATH, config.marketAnalysis.identifier)));
  try {
    const { tools } = await mcp.listTools();
    const result = await mcp.callTool({ name: OUTLOOK_TOOL, arguments: { horizonWeeks } });
    return { tools: tools.map((t) => t.name), outlook: outlookOf(result) };
  } finally {
    await mcp.close();
  }
}
