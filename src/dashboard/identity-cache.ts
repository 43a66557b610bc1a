/**
 * Remembers the last result of `compute` for one key object. The status payload is rebuilt once per tick, so
 * object identity is the cache key: requests between ticks reuse the serialized bytes.
 */
export function cacheByIdentity<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  return (key) => {
    if (key !== lastKey || lastValue === undefined) {
      lastValue = compute(key);
      lastKey = key;
    }
    return lastValue;
  };
}
