/**
 * Input errors name the field and the allowed range. They are thrown before anything reaches C++;
 * the native engine checks again and throws the same kind of message.
 */
export class LinkcapInputError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'LinkcapInputError';
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return typeof value;
}
