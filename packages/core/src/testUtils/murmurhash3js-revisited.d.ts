declare module 'murmurhash3js-revisited' {
  const murmurHash3: {
    x86: { hash32(bytes: Uint8Array | number[], seed?: number): number }
  }
  export = murmurHash3
}
