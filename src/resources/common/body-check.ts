import { badRequest } from '../../errors/app-error.js';

type Json = Record<string, unknown>;

/**
 * Collects every problem of a request body, each naming its path, and throws one 400 with all of them
 * (`{"message": "Validation failed.", "errors": [...]}`).
 */
export class BodyCheck {
  readonly problems: string[] = [];

  constructor(readonly body: unknown) {}

  static object(body: unknown): BodyCheck {
    const check = new BodyCheck(body);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('Validation failed.', ['The request body must be a JSON object.']);
    }
    return check;
  }

  get(path: string): unknown {
    let current: unknown = this.body;
    for (const key of path.split('.')) {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return undefined;
      current = (current as Json)[key];
    }
    return current;
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  string(path: string, options: { required?: boolean; nullable?: boolean; maxLength?: number; nonEmpty?: boolean } = {}): string | null | undefined {
    const value = this.get(path);
    if (value === undefined) {
      if (options.required) this.problem(`${path} is required.`);
      return undefined;
    }
    if (value === null) {
      if (!options.nullable) this.problem(`${path} must be a string.`);
      return null;
    }
    if (typeof value !== 'string') {
      this.problem(`${path} must be a string.`);
      return undefined;
    }
    if (options.nonEmpty && value.trim() === '') this.problem(`${path} must not be empty.`);
    if (options.maxLength !== undefined && value.length > options.maxLength) this.problem(`${path} must be at most ${options.maxLength} characters.`);
    return value;
  }

  boolean(path: string, options: { required?: boolean } = {}): boolean | undefined {
    const value = this.get(path);
    if (value === undefined) {
      if (options.required) this.problem(`${path} is required.`);
      return undefined;
    }
    if (typeof value !== 'boolean') {
      this.problem(`${path} must be true or false.`);
      return undefined;
    }
    return value;
  }

  integer(path: string, options: { required?: boolean; min?: number; max?: number } = {}): number | undefined {
    const value = this.get(path);
    if (value === undefined) {
      if (options.required) this.problem(`${path} is required.`);
      return undefined;
    }
    if (!Number.isSafeInteger(value)) {
      this.problem(`${path} must be an integer.`);
      return undefined;
    }
    const n = value as number;
    if (options.min !== undefined && n < options.min) this.problem(`${path} must be at least ${options.min}.`);
    if (options.max !== undefined && n > options.max) this.problem(`${path} must be at most ${options.max}.`);
    return n;
  }

  object(path: string, options: { required?: boolean; nullable?: boolean } = {}): Json | null | undefined {
    const value = this.get(path);
    if (value === undefined) {
      if (options.required) this.problem(`${path} is required.`);
      return undefined;
    }
    if (value === null && options.nullable) return null;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.problem(`${path} must be an object.`);
      return undefined;
    }
    return value as Json;
  }

  array(path: string, options: { required?: boolean } = {}): unknown[] | undefined {
    const value = this.get(path);
    if (value === undefined) {
      if (options.required) this.problem(`${path} is required.`);
      return undefined;
    }
    if (!Array.isArray(value)) {
      this.problem(`${path} must be an array.`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(path: string, allowed: readonly T[], options: { required?: boolean } = {}): T | undefined {
    const value = this.string(path, options);
    if (typeof value !== 'string') return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problem(`${path} must be one of ${allowed.join(', ')}.`);
      return undefined;
    }
    return value as T;
  }

  /** Throws the collected problems as one 400. */
  done(): void {
    if (this.problems.length > 0) throw badRequest('Validation failed.', this.problems);
  }
}
