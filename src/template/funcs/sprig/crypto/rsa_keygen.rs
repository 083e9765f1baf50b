//! RSA key generation for Sprig's `genPrivateKey genCA genSelfSignedCert genSignedCert`: fresh random
//! primes found by a small-prime sieve and Miller–Rabin tests on fixed-width Montgomery arithmetic.
//!
//! Why not the `rsa` crate's `RsaPrivateKey::new`: its prime search (num-bigint-dig's `gen_prime`)
//! sieves with only the 15 primes below 53, so about three times as many candidates reach a modular
//! exponentiation, and it runs 21 Miller–Rabin rounds plus a Lucas test on each prime it keeps, on
//! allocating big integers. It made a 2048-bit key cost about four Go keys, and RSA key generation
//! was most of the time of chart unit tests that render certificates. The `rsa` crate still holds,
//! checks (`from_components` validates `d·e ≡ 1 mod p−1` and `n = p·q`) and encodes the key.
//!
//! The keys have the shape Go's `rsa.GenerateKey` gives: two primes of half the size with their two top
//! bits set (so `n` has exactly the requested size), `e = 65537`, `gcd(e, p−1) = 1`. Each prime passes
//! one base-2 test and then [`RANDOM_ROUNDS`] rounds with random bases (FIPS 186-5 table B.1 asks for
//! 5 rounds at 1024 bits, 4 at 2048 bits, for an error probability below 2⁻¹⁰⁰). Randomness comes from
//! the operating system (`OsRng`), as Go's `crypto/rand`.
use num_bigint::BigUint;
use rsa::rand_core::{OsRng, RngCore};

/// Miller–Rabin rounds with random bases a prime must pass after the base-2 test.
const RANDOM_ROUNDS: usize = 5;
/// Odd primes below this bound sieve the candidates.
const SIEVE_BOUND: usize = 1 << 16;
/// Odd offsets sieved at once after a random start (the mean gap between 1024-bit primes is ~710).
const WINDOW: usize = 4096;
/// The public exponent, as Go's.
const E: u32 = 65537;

/// A fresh `bits`-bit RSA key (two primes). Sizes other than 2048 and 4096 use the `rsa` crate.
pub fn generate(bits: usize) -> Result<rsa::RsaPrivateKey, String> {
    match bits {
        2048 => key_from_primes(prime::<16>(), prime::<16>()),
        4096 => key_from_primes(prime::<32>(), prime::<32>()),
        _ => rsa::RsaPrivateKey::new(&mut OsRng, bits).map_err(|e| e.to_string()),
    }
}

fn key_from_primes(p: BigUint, q: BigUint) -> Result<rsa::RsaPrivateKey, String> {
    if p == q {
        // Two equal random 1024-bit primes: not going to happen, but never produce a broken key.
        return Err("rsa: generated equal primes".to_string());
    }
    let n = &p * &q;
    let totient = (&p - 1u32) * (&q - 1u32);
    let d = BigUint::from(E)
        .modinv(&totient)
        .ok_or_else(|| "rsa: public exponent not invertible".to_string())?;
    let conv = |x: &BigUint| rsa::BigUint::from_bytes_be(&x.to_bytes_be());
    rsa::RsaPrivateKey::from_components(
        conv(&n),
        rsa::BigUint::from(E),
        conv(&d),
        vec![conv(&p), conv(&q)],
    )
    .map_err(|e| e.to_string())
}

/// The odd primes below [`SIEVE_BOUND`].
fn small_primes() -> &'static [u32] {
    static PRIMES: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    PRIMES.get_or_init(|| {
        let mut composite = vec![false; SIEVE_BOUND];
        let mut out = Vec::new();
        for i in (3..SIEVE_BOUND).step_by(2) {
            if !composite[i] {
                out.push(i as u32);
                (i * i..SIEVE_BOUND)
                    .step_by(2 * i)
                    .for_each(|j| composite[j] = true);
            }
        }
        out
    })
}

/// `x mod d` for a little-endian limb array and a divisor below 2³².
fn rem_small(x: &[u64], d: u32) -> u32 {
    let d = d as u64;
    x.iter().rev().fold(0u64, |r, &limb| {
        let r = ((r << 32) | (limb >> 32)) % d;
        ((r << 32) | (limb & 0xffff_ffff)) % d
    }) as u32
}

fn random_limbs<const N: usize>() -> [u64; N] {
    let mut bytes = vec![0u8; N * 8];
    OsRng.fill_bytes(&mut bytes);
    let mut out = [0u64; N];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
        *limb = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
    }
    out
}

fn to_biguint(x: &[u64]) -> BigUint {
    let bytes: Vec<u8> = x.iter().flat_map(|l| l.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// A random prime of `64·N` bits with its two top bits set and `p mod e ≠ 1`.
fn prime<const N: usize>() -> BigUint {
    let primes = small_primes();
    let mut composite = vec![false; WINDOW];
    loop {
        let mut base = random_limbs::<N>();
        base[N - 1] |= 0b11 << 62;
        base[0] |= 1;
        composite.iter_mut().for_each(|c| *c = false);
        for &p in primes {
            let (p, r) = (p as usize, rem_small(&base, p) as usize);
            // base + 2k ≡ 0 (mod p)  ⇔  k ≡ −r · 2⁻¹ (mod p), and 2⁻¹ = (p + 1) / 2.
            let first = (p - r) % p * p.div_ceil(2) % p;
            (first..WINDOW).step_by(p).for_each(|k| composite[k] = true);
        }
        for (k, _) in composite.iter().enumerate().filter(|(_, c)| !**c) {
            let Some(candidate) = add_small(&base, 2 * k as u64) else {
                break;
            };
            if candidate[N - 1] >> 62 != 0b11 {
                break;
            }
            if rem_small(&candidate, E) == 1 {
                continue;
            }
            if is_probable_prime(&candidate) {
                return to_biguint(&candidate);
            }
        }
    }
}

/// `x + v`, or `None` when it overflows the width.
fn add_small<const N: usize>(x: &[u64; N], v: u64) -> Option<[u64; N]> {
    let mut out = *x;
    let mut carry = v;
    for limb in out.iter_mut() {
        let (s, c) = limb.overflowing_add(carry);
        *limb = s;
        carry = c as u64;
        if carry == 0 {
            return Some(out);
        }
    }
    None
}

/// Miller–Rabin with base 2, then [`RANDOM_ROUNDS`] random bases. `n` is odd with its top bit set.
fn is_probable_prime<const N: usize>(n: &[u64; N]) -> bool {
    let mont = Mont::new(n);
    let mut n_minus_1 = *n;
    n_minus_1[0] &= !1;
    let s = trailing_zeros(&n_minus_1);
    let d = shr(&n_minus_1, s);
    let minus_one = mont.minus_one();
    let passes = |mut x: [u64; N]| {
        if x == mont.one || x == minus_one {
            return true;
        }
        for _ in 1..s {
            x = mont.mul(&x, &x);
            if x == minus_one {
                return true;
            }
        }
        false
    };
    if !passes(mont.pow2(&d)) {
        return false;
    }
    (0..RANDOM_ROUNDS).all(|_| {
        // A base in [2, n − 2]: below n's top limb minus one in the top limb, not 0 or 1.
        let mut a = random_limbs::<N>();
        a[N - 1] %= n[N - 1] - 1;
        if a[1..].iter().all(|&l| l == 0) && a[0] < 2 {
            a[0] = 2;
        }
        passes(mont.pow(&mont.to_mont(&a), &d))
    })
}

fn trailing_zeros(x: &[u64]) -> u32 {
    let mut zeros = 0;
    for &limb in x {
        if limb != 0 {
            return zeros + limb.trailing_zeros();
        }
        zeros += 64;
    }
    zeros
}

/// `x >> s` for `s < 64·N`.
fn shr<const N: usize>(x: &[u64; N], s: u32) -> [u64; N] {
    let (limbs, bits) = ((s / 64) as usize, s % 64);
    let mut out = [0u64; N];
    for i in 0..N - limbs {
        let lo = x[i + limbs] >> bits;
        let hi = match (bits, x.get(i + limbs + 1)) {
            (0, _) | (_, None) => 0,
            (_, Some(h)) => h << (64 - bits),
        };
        out[i] = lo | hi;
    }
    out
}

fn bit(x: &[u64], i: usize) -> bool {
    x[i / 64] >> (i % 64) & 1 == 1
}

fn bit_len(x: &[u64]) -> usize {
    x.iter()
        .rposition(|&l| l != 0)
        .map_or(0, |i| 64 * i + 64 - x[i].leading_zeros() as usize)
}

/// `a − b` in place; returns the borrow.
fn sub_in_place(a: &mut [u64], b: &[u64]) -> bool {
    let mut borrow = false;
    for (x, &y) in a.iter_mut().zip(b) {
        let (d1, b1) = x.overflowing_sub(y);
        let (d2, b2) = d1.overflowing_sub(borrow as u64);
        *x = d2;
        borrow = b1 || b2;
    }
    borrow
}

fn geq(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x > y;
        }
    }
    true
}

/// Montgomery arithmetic modulo an odd `m` of exactly `64·N` bits (top bit set), with `R = 2^(64·N)`.
struct Mont<const N: usize> {
    m: [u64; N],
    /// `−m⁻¹ mod 2⁶⁴`.
    inv: u64,
    /// `R mod m`: one in Montgomery form.
    one: [u64; N],
    /// `R² mod m`.
    r2: [u64; N],
}

impl<const N: usize> Mont<N> {
    fn new(m: &[u64; N]) -> Self {
        let mut inv: u64 = m[0]; // correct to 3 bits for odd m; each step doubles the correct bits
        for _ in 0..6 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m[0].wrapping_mul(inv)));
        }
        // m > R/2, so R mod m = R − m: the two's complement of m.
        let mut one = [0u64; N];
        sub_in_place(&mut one, m);
        let mut mont = Mont {
            m: *m,
            inv: inv.wrapping_neg(),
            one,
            r2: one,
        };
        // R · 2^(64·N) = R² (mod m) by doubling.
        for _ in 0..64 * N {
            mont.r2 = mont.double(&mont.r2);
        }
        mont
    }

    /// `−1` in Montgomery form: `m − (R mod m)`.
    fn minus_one(&self) -> [u64; N] {
        let mut out = self.m;
        sub_in_place(&mut out, &self.one);
        out
    }

    /// `2x mod m` for `x < m`.
    fn double(&self, x: &[u64; N]) -> [u64; N] {
        let mut out = [0u64; N];
        let mut carry = 0;
        for (o, &l) in out.iter_mut().zip(x) {
            *o = (l << 1) | carry;
            carry = l >> 63;
        }
        if carry == 1 || geq(&out, &self.m) {
            sub_in_place(&mut out, &self.m);
        }
        out
    }

    /// `a · b · R⁻¹ mod m` (coarsely integrated operand scanning).
    fn mul(&self, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut t = [0u64; N];
        let (mut t_n, mut t_n1);
        t_n = 0u64;
        for &bi in b.iter() {
            let mut carry = 0u64;
            for (tj, &aj) in t.iter_mut().zip(a) {
                let s = *tj as u128 + aj as u128 * bi as u128 + carry as u128;
                *tj = s as u64;
                carry = (s >> 64) as u64;
            }
            let s = t_n as u128 + carry as u128;
            t_n = s as u64;
            t_n1 = (s >> 64) as u64;
            let q = t[0].wrapping_mul(self.inv);
            let s = t[0] as u128 + q as u128 * self.m[0] as u128;
            let mut carry = (s >> 64) as u64;
            for j in 1..N {
                let s = t[j] as u128 + q as u128 * self.m[j] as u128 + carry as u128;
                t[j - 1] = s as u64;
                carry = (s >> 64) as u64;
            }
            let s = t_n as u128 + carry as u128;
            t[N - 1] = s as u64;
            t_n = t_n1 + (s >> 64) as u64;
        }
        if t_n != 0 || geq(&t, &self.m) {
            sub_in_place(&mut t, &self.m);
        }
        t
    }

    /// `x` (below m) in Montgomery form.
    fn to_mont(&self, x: &[u64; N]) -> [u64; N] {
        self.mul(x, &self.r2)
    }

    /// `2^e` in Montgomery form: square and double, no multiplications.
    fn pow2(&self, e: &[u64; N]) -> [u64; N] {
        let mut x = self.one;
        for i in (0..bit_len(e)).rev() {
            x = self.mul(&x, &x);
            if bit(e, i) {
                x = self.double(&x);
            }
        }
        x
    }

    /// `a^e` for `a` in Montgomery form, with a fixed 4-bit window.
    fn pow(&self, a: &[u64; N], e: &[u64; N]) -> [u64; N] {
        let mut table = [self.one; 16];
        for i in 1..16 {
            table[i] = self.mul(&table[i - 1], a);
        }
        let mut x = self.one;
        let windows = bit_len(e).div_ceil(4);
        for w in (0..windows).rev() {
            for _ in 0..4 {
                x = self.mul(&x, &x);
            }
            let digit = (e[w / 16] >> (4 * (w % 16))) & 0xf;
            if digit != 0 {
                x = self.mul(&x, &table[digit as usize]);
            }
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;

    fn limbs<const N: usize>(x: &BigUint) -> [u64; N] {
        let mut out = [0u64; N];
        let digits = x.to_u64_digits();
        out[..digits.len()].copy_from_slice(&digits);
        out
    }

    #[test]
    fn montgomery_powers_agree_with_num_bigint() {
        for _ in 0..20 {
            let mut m = random_limbs::<16>();
            m[15] |= 1 << 63;
            m[0] |= 1;
            let mont = Mont::new(&m);
            let (mb, a, e) = (to_biguint(&m), random_limbs::<16>(), random_limbs::<16>());
            let a_mod = to_biguint(&a) % &mb;
            let expected = a_mod.modpow(&to_biguint(&e), &mb);
            let got = mont.pow(&mont.to_mont(&limbs(&a_mod)), &e);
            // Out of Montgomery form: multiply by 1.
            let mut plain_one = [0u64; 16];
            plain_one[0] = 1;
            assert_eq!(to_biguint(&mont.mul(&got, &plain_one)), expected);
            let got2 = mont.pow2(&e);
            let expected2 = BigUint::from(2u32).modpow(&to_biguint(&e), &mb);
            assert_eq!(to_biguint(&mont.mul(&got2, &plain_one)), expected2);
        }
    }

    /// An independent Miller–Rabin on num-bigint with 20 random bases.
    fn reference_is_prime(n: &BigUint) -> bool {
        let n1 = n - 1u32;
        let s = n1.trailing_zeros().unwrap();
        let d = &n1 >> s;
        (0..20).all(|_| {
            let a = to_biguint(&random_limbs::<16>()) % (n - 3u32) + 2u32;
            let mut x = a.modpow(&d, n);
            if x == BigUint::from(1u32) || x == n1 {
                return true;
            }
            (1..s).any(|_| {
                x = &x * &x % n;
                x == n1
            })
        })
    }

    #[test]
    fn primality_test_tells_primes_from_composites() {
        let (p, q) = (prime::<8>(), prime::<8>());
        for x in [&p, &q] {
            assert_eq!(x.bits(), 512);
            assert!(x.bit(511) && x.bit(510));
            assert!(reference_is_prime(x));
            assert_ne!(x % E, BigUint::from(1u32));
        }
        let n = &p * &q;
        assert!(!is_probable_prime(&limbs::<16>(&n)));
        // Odd numbers after n: both tests agree on each.
        let mut c = limbs::<16>(&n);
        for _ in 0..50 {
            c = add_small(&c, 2).unwrap();
            assert_eq!(is_probable_prime(&c), reference_is_prime(&to_biguint(&c)));
        }
        // A number with a small factor the sieve would remove is still refused by the test itself.
        let mut m = limbs::<16>(&n);
        while rem_small(&m, 3) != 0 {
            m = add_small(&m, 2).unwrap();
        }
        assert!(!is_probable_prime(&m));
    }

    #[test]
    fn keys_have_the_requested_size_and_work() {
        use rsa::{Pkcs1v15Sign, RsaPublicKey};
        let key = generate(2048).unwrap();
        assert_eq!(key.n().bits(), 2048);
        assert_eq!(key.e(), &rsa::BigUint::from(65537u32));
        let digest = [7u8; 32];
        let sig = key
            .sign(Pkcs1v15Sign::new_unprefixed(), &digest)
            .expect("sign");
        RsaPublicKey::from(&key)
            .verify(Pkcs1v15Sign::new_unprefixed(), &digest, &sig)
            .expect("verify");
        assert_ne!(generate(2048).unwrap().n(), key.n(), "fresh keys");
    }
}
