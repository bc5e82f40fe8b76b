/**
 * Seeded randomness for the rollout simulations: a small fast generator
 * (sfc32) and the samplers the traffic model needs. Every run derives its
 * own generator from (scenario seed, run index), so results do not depend
 * on how runs are spread over workers.
 */
const BLOCK = 4096

export class Random {
  private a: number
  private b: number
  private c: number
  private d: number
  private spare = Number.NaN
  private readonly block = new Float64Array(BLOCK)
  private at = BLOCK

  constructor(seed: number, stream = 0) {
    let s = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0
    const next = () => {
      // splitmix32, to spread nearby seeds apart
      s = (s + 0x9e3779b9) | 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next()
    this.b = next()
    this.c = next()
    this.d = next()
    for (let i = 0; i < 12; i++) this.uint32()
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). Drawn in blocks: the simulations call this hundreds of millions of times. */
  next(): number {
    if (this.at === BLOCK) this.refill()
    return this.block[this.at++] as number
  }

  private refill(): void {
    let { a, b, c, d } = this
    const block = this.block
    for (let i = 0; i < BLOCK; i++) {
      const t = (((a + b) | 0) + d) | 0
      d = (d + 1) | 0
      a = b ^ (b >>> 9)
      b = (c + (c << 3)) | 0
      c = (c << 21) | (c >>> 11)
      c = (c + t) | 0
      block[i] = (t >>> 0) / 4294967296
    }
    this.a = a
    this.b = b
    this.c = c
    this.d = d
    this.at = 0
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare
      this.spare = Number.NaN
      return z
    }
    let u = 0
    while (u === 0) u = this.next()
    const v = this.next()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** Gamma(shape, 1), Marsaglia–Tsang (boosted below shape 1). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape)
    const d = shape - 1 / 3
    const c = 1 / Math.sqrt(9 * d)
    for (;;) {
      let x = 0
      let v = 0
      do {
        x = this.normal()
        v = 1 + c * x
      } while (v <= 0)
      v = v * v * v
      const u = this.next()
      if (u < 1 - 0.0331 * x ** 4) return d * v
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
    }
  }

  /** Poisson(mean): multiplication below 10, Hörmann's PTRS above. */
  poisson(mean: number): number {
    if (mean <= 0) return 0
    if (mean < 10) {
      const limit = Math.exp(-mean)
      let k = 0
      let p = this.next()
      while (p > limit) {
        k++
        p *= this.next()
      }
      return k
    }
    const smu = Math.sqrt(mean)
    const b = 0.931 + 2.53 * smu
    const a = -0.059 + 0.02483 * b
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4)
    const vr = 0.9277 - 3.6224 / (b - 2)
    const logMean = Math.log(mean)
    for (;;) {
      const u = this.next() - 0.5
      const v = this.next()
      const us = 0.5 - Math.abs(u)
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43)
      if (us >= 0.07 && v <= vr) return k
      if (k < 0 || (us < 0.013 && v > us)) continue
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      ) {
        return k
      }
    }
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0
  // Stirling's series: ample for k ≥ 2 in a rejection test.
  const x = k + 1
  return (
    (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3)
  )
}
