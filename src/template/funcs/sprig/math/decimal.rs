//! The slice of shopspring/decimal v1.4.0 that Sprig's `addf subf mulf divf add1f` use: exact decimal
//! arithmetic on the shortest decimal form of each float64 (`NewFromFloat`), division rounded half
//! away from zero to 16 decimal places (`DivisionPrecision`), and conversion back to the nearest
//! float64. So `addf 1.1 2.2` is exactly `3.3`, not `3.3000000000000003`.
use num_bigint::BigInt;

/// `mantissa × 10^exponent`.
#[derive(Clone, Debug)]
pub struct Decimal {
    mantissa: BigInt,
    exponent: i32,
}

/// shopspring's `DivisionPrecision`.
const DIVISION_PRECISION: i32 = 16;

fn pow10(n: u32) -> BigInt {
    BigInt::from(10u8).pow(n)
}

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that round-trips to `f`. `None` for NaN and ±Inf
    /// (shopspring panics on them).
    pub fn from_f64(f: f64) -> Option<Decimal> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Decimal {
                mantissa: BigInt::from(0),
                exponent: 0,
            });
        }
        let s = format!("{:e}", f);
        let (mantissa, exp) = s.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let frac_digits = mantissa.split_once('.').map_or(0, |(_, frac)| frac.len()) as i32;
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        Some(Decimal {
            mantissa: digits.parse().ok()?,
            exponent: exp - frac_digits,
        })
    }

    /// Both operands scaled to the smaller exponent.
    fn aligned(&self, other: &Decimal) -> (BigInt, BigInt, i32) {
        let exponent = self.exponent.min(other.exponent);
        let a = &self.mantissa * pow10((self.exponent - exponent) as u32);
        let b = &other.mantissa * pow10((other.exponent - exponent) as u32);
        (a, b, exponent)
    }

    pub fn add(&self, other: &Decimal) -> Decimal {
        let (a, b, exponent) = self.aligned(other);
        Decimal {
            mantissa: a + b,
            exponent,
        }
    }

    pub fn sub(&self, other: &Decimal) -> Decimal {
        let (a, b, exponent) = self.aligned(other);
        Decimal {
            mantissa: a - b,
            exponent,
        }
    }

    pub fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            mantissa: &self.mantissa * &other.mantissa,
            exponent: self.exponent + other.exponent,
        }
    }

    /// `Decimal.Div`: the quotient to 16 decimal places, rounded half away from zero. `None` when
    /// dividing by zero (shopspring panics with `decimal division by zero`).
    pub fn div(&self, other: &Decimal) -> Option<Decimal> {
        if other.mantissa == BigInt::from(0) {
            return None;
        }
        // self / other = (a × 10^ea) / (b × 10^eb); scale to exponent -16:
        // q = a × 10^(ea - eb + 16) / b.
        let shift = self.exponent - other.exponent + DIVISION_PRECISION;
        let (num, den) = if shift >= 0 {
            (&self.mantissa * pow10(shift as u32), other.mantissa.clone())
        } else {
            (
                self.mantissa.clone(),
                &other.mantissa * pow10((-shift) as u32),
            )
        };
        // Truncating division, as Go's big.Int QuoRem.
        let (quotient, remainder) = (&num / &den, &num % &den);
        let twice = remainder.magnitude() * 2u8;
        let mut quotient = quotient;
        if twice >= *den.magnitude() {
            if (num.sign() == num_bigint::Sign::Minus) != (den.sign() == num_bigint::Sign::Minus) {
                quotient -= 1;
            } else {
                quotient += 1;
            }
        }
        Some(Decimal {
            mantissa: quotient,
            exponent: -DIVISION_PRECISION,
        })
    }

    /// `Decimal.Float64`: the nearest float64.
    pub fn to_f64(&self) -> f64 {
        format!("{}e{}", self.mantissa, self.exponent)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).unwrap()
    }

    #[test]
    fn arithmetic_is_exact_on_shortest_forms() {
        // helm: {{ addf 1.1 2.2 }} → 3.3; {{ mulf 1.1 3 }} → 3.3; {{ subf 0.3 0.1 }} → 0.2
        assert_eq!(d(1.1).add(&d(2.2)).to_f64(), 3.3);
        assert_eq!(d(1.1).mul(&d(3.0)).to_f64(), 3.3);
        assert_eq!(d(0.3).sub(&d(0.1)).to_f64(), 0.2);
        // helm: {{ divf 10 3 }} → 3.3333333333333335; {{ divf 2 3 }} → 0.6666666666666667
        assert_eq!(d(10.0).div(&d(3.0)).unwrap().to_f64(), 3.3333333333333335);
        assert_eq!(d(2.0).div(&d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert!(d(1.0).div(&d(0.0)).is_none());
    }
}
