import type { BrowserContext } from 'playwright-core';

export declare const CHROMIUM: string;
export declare const CHROMIUM_FLAGS: string[];
export declare function launchChromium(profilePrefix: string): Promise<{ context: BrowserContext; close: () => Promise<void> }>;
