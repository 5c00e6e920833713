/** The `AAuth` challenge header of the 2026-03 profile (§Challenge; wire notes §3.2, §3.3). */
export type Challenge =
  | { readonly require: 'pseudonym' }
  | { readonly require: 'identity' }
  | { readonly require: 'auth-token'; readonly resourceToken: string; readonly authServer: string }
  | { readonly require: 'interaction'; readonly code: string }
  | { readonly require: 'approval' }
  /** Extension: an RFC 8693 delegated token for `audience` with `scope` (space-separated), by exchange at `authServer`. */
  | { readonly require: 'delegated-token'; readonly authServer: string; readonly audience: string; readonly scope: string };
