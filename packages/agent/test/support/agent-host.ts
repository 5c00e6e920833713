/** TEST-ONLY: an AgentServer published on a loopback port (its well-known metadata and JWKS). */
import { AgentServer } from '@aauth-ts/agent';
import { listen } from './http.js';

export interface AgentHost {
  readonly agentServer: AgentServer;
  close(): Promise<void>;
}

export async function startAgentHost(options: { hostname?: string; agentTokenLifetimeSeconds?: number } = {}): Promise<AgentHost> {
  const listening = await listen();
  const agentServer = new AgentServer({
    identifier: `http://${options.hostname ?? '127.0.0.1'}:${listening.port}`,
    development: true,
    metadata: { client_name: 'test agent' },
    ...(options.agentTokenLifetimeSeconds === undefined ? {} : { agentTokenLifetimeSeconds: options.agentTokenLifetimeSeconds }),
  });
  listening.server.on('request', agentServer.router());
  return { agentServer, close: () => listening.close() };
}
