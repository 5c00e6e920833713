export const OPA_VERSION: string;
export const OPA_BINARY: string;
export function opaMissing(): string | undefined;
export function startOpa(policy: string): Promise<{ readonly url: string; stop(): Promise<void> }>;
