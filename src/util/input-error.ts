/**
 * Bad input found outside the CLI: a scenario file, a saved result, a dataset, a flag value a
 * module parses. Modules throw this (or a subclass) with a one-line message that names the
 * file, the field and what is allowed; the CLI maps it to exit 2 and prints the message
 * without a stack. Modules never throw the CLI's own CliError.
 */
export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The class's own name, a subclass's too (DatasetError, TraceError): they need no constructor for it.
    this.name = new.target.name;
  }
}
