export { AAUTH_2026_03 } from './aauth-2026-03.js';
export type { Profile, WireErrorCode, RequireValue, TokenKind } from './aauth-2026-03.js';
import { AAUTH_2026_03 } from './aauth-2026-03.js';
/** The default profile (DESIGN.md "Wire profile"). */
export const PROFILE = AAUTH_2026_03;
