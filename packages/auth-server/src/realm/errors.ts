/** A realm file that cannot be used. Configuration, not request input: raised at startup only. */
export class RealmConfigError extends Error {
  override readonly name = 'RealmConfigError';
  /** JSON path of the offending field, e.g. `clients[2].attributes.aauth.agent`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}
