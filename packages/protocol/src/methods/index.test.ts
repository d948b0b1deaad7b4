import { describe, expect, it } from 'vitest';
import { methodNames, methods } from './index.js';
import { isPublicMethod } from '../public-methods.js';

describe('method table', () => {
  it('marks exactly the public methods as needing no token', () => {
    for (const name of methodNames) expect(methods[name].auth, name).toBe(!isPublicMethod(name));
  });
});
