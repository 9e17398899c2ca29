// Reading and corrupting by index in tests: an index that misses fails the test with a message saying so, instead of
// an undefined that reads as "cannot read properties of undefined" or a write that silently changes nothing.
import assert from 'node:assert/strict';

/** The item at `index` (negative counts from the end, as Array.prototype.at); fails the test when there is none. */
export function itemAt<T>(items: ArrayLike<T>, index: number): T {
  const at = index < 0 ? items.length + index : index;
  assert.ok(at >= 0 && at < items.length, `expected an item at index ${index}, but there are ${items.length}`);
  return items[at] as T;
}

/** XORs the byte at `index` with `mask` (corrupting it on purpose); fails the test when the index is outside `bytes`. */
export function flipByte(bytes: Uint8Array, index: number, mask = 0xff): void {
  assert.ok(Number.isInteger(index) && index >= 0 && index < bytes.length, `byte ${index} is outside the ${bytes.length} bytes`);
  bytes[index] = itemAt(bytes, index) ^ mask;
}
