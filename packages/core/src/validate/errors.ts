/**
 * Input errors name the field and the allowed range. Values in batch arrays are checked by the engine that
 * evaluates them, where they are read (the native engine in C++, the reference in TypeScript), and both word
 * the error alike: `inputs.bytes[17] = -1: must be a finite number of bytes > 0 and ≤ 2^53`.
 */
export class LinkcapInputError extends RangeError {
  /** `message` follows `field: ` unless `exact`, when it is the whole message (it already names the field). */
  constructor(
    readonly field: string,
    message: string,
    exact = false,
  ) {
    super(exact ? message : `${field}: ${message}`);
    this.name = 'LinkcapInputError';
  }

  /** `<field> = <value>: <range>`, the wording of every value check of batch arrays, in both engines. */
  static outOfRange(field: string, value: unknown, range: string): LinkcapInputError {
    return new LinkcapInputError(field, `${field} = ${describeValue(value)}: ${range}`, true);
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}

/**
 * The native engine reports bad input as a RangeError with a `field` property (native/src/addon/errors.cpp):
 * the same LinkcapInputError the reference engine throws. Anything else is returned unchanged.
 */
export function fromNativeError(error: unknown): unknown {
  if (error instanceof RangeError && typeof (error as { field?: unknown }).field === 'string') {
    return new LinkcapInputError((error as RangeError & { field: string }).field, error.message, true);
  }
  return error;
}
