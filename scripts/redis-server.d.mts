/** Why `redis-server` cannot run here (skip with this message), or undefined; throws under `CI=true`. */
export declare function redisMissing(): string | undefined;
/** A free loopback port (for a server that must be told its port up front). */
export declare function freePort(): Promise<number>;
export declare class RedisServer {
  readonly port: number;
  readonly url: string;
  static start(): Promise<RedisServer>;
  restart(): Promise<void>;
  /** FLUSHALL while running: emptied without a restart. */
  flushAll(): Promise<void>;
  pause(): void;
  resume(): void;
  kill(): Promise<void>;
  stop(): Promise<void>;
}
