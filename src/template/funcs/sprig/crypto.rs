//! Sprig's crypto functions (`crypto.go`): hashes (`sha1sum sha256sum sha512sum adler32sum`),
//! `bcrypt htpasswd`, `derivePassword` (the Master Password algorithm: deterministic, byte-identical),
//! `encryptAES decryptAES` (AES-256-CBC, key = password zero-padded to 32 bytes, random IV first,
//! PKCS#7 padding, base64), `randBytes`, and the key and certificate generators in [`certs`].
//!
//! Sprig turns Go panics of `decryptAES` (short or misaligned input) into template errors; the same
//! texts are produced here. Random parts (bcrypt salt, IV, keys, serials) come from the render's
//! random source, so they match Helm in shape only.
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::encoding::{base64_decode, base64_encode};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{UintKind, Value};

pub mod certs;
pub mod rsa_keygen;

const STR: GoType = GoType::String;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "sha1sum",
        sig: Signature::fixed(&[STR]),
        imp: sha1sum,
    },
    FuncDef {
        name: "sha256sum",
        sig: Signature::fixed(&[STR]),
        imp: sha256sum,
    },
    FuncDef {
        name: "sha512sum",
        sig: Signature::fixed(&[STR]),
        imp: sha512sum,
    },
    FuncDef {
        name: "adler32sum",
        sig: Signature::fixed(&[STR]),
        imp: adler32sum,
    },
    FuncDef {
        name: "bcrypt",
        sig: Signature::fixed(&[STR]),
        imp: bcrypt,
    },
    FuncDef {
        name: "htpasswd",
        sig: Signature::fixed(&[STR, STR]),
        imp: htpasswd,
    },
    FuncDef {
        name: "derivePassword",
        sig: Signature::fixed(&[GoType::Uint(UintKind::Uint32), STR, STR, STR, STR]),
        imp: derive_password,
    },
    FuncDef {
        name: "encryptAES",
        sig: Signature::fixed(&[STR, STR]),
        imp: encrypt_aes,
    },
    FuncDef {
        name: "decryptAES",
        sig: Signature::fixed(&[STR, STR]),
        imp: decrypt_aes,
    },
    FuncDef {
        name: "randBytes",
        sig: Signature::fixed(&[GoType::INT]),
        imp: rand_bytes,
    },
    FuncDef {
        name: "genPrivateKey",
        sig: Signature::fixed(&[STR]),
        imp: certs::gen_private_key,
    },
    FuncDef {
        name: "buildCustomCert",
        sig: Signature::fixed(&[STR, STR]),
        imp: certs::build_custom_cert,
    },
    FuncDef {
        name: "genCA",
        sig: Signature::fixed(&[STR, GoType::INT]),
        imp: certs::gen_ca,
    },
    FuncDef {
        name: "genCAWithKey",
        sig: Signature::fixed(&[STR, GoType::INT, STR]),
        imp: certs::gen_ca_with_key,
    },
    FuncDef {
        name: "genSelfSignedCert",
        sig: Signature::fixed(&[
            STR,
            GoType::SliceInterface,
            GoType::SliceInterface,
            GoType::INT,
        ]),
        imp: certs::gen_self_signed_cert,
    },
    FuncDef {
        name: "genSelfSignedCertWithKey",
        sig: Signature::fixed(&[
            STR,
            GoType::SliceInterface,
            GoType::SliceInterface,
            GoType::INT,
            STR,
        ]),
        imp: certs::gen_self_signed_cert_with_key,
    },
    FuncDef {
        name: "genSignedCert",
        sig: Signature::fixed(&[
            STR,
            GoType::SliceInterface,
            GoType::SliceInterface,
            GoType::INT,
            GoType::Named(certs::CERTIFICATE),
        ]),
        imp: certs::gen_signed_cert,
    },
    FuncDef {
        name: "genSignedCertWithKey",
        sig: Signature::fixed(&[
            STR,
            GoType::SliceInterface,
            GoType::SliceInterface,
            GoType::INT,
            GoType::Named(certs::CERTIFICATE),
            STR,
        ]),
        imp: certs::gen_signed_cert_with_key,
    },
];

pub(crate) fn str_at(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

/// Lower-case hexadecimal, two digits per byte (Go's `hex.EncodeToString`).
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

fn sha1sum(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(hex(&Sha1::digest(
        crate::template::gostr::to_bytes(str_at(&args, 0)),
    ))))
}

fn sha256sum(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(hex(&Sha256::digest(
        crate::template::gostr::to_bytes(str_at(&args, 0)),
    ))))
}

fn sha512sum(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(hex(&Sha512::digest(
        crate::template::gostr::to_bytes(str_at(&args, 0)),
    ))))
}

/// Adler-32 as Go's `hash/adler32`, printed in decimal.
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5_552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

fn adler32sum(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(
        adler32(&crate::template::gostr::to_bytes(str_at(&args, 0))).to_string(),
    ))
}

/// Go's `bcrypt.GenerateFromPassword(p, 10)`: `$2a$10$…`; failures are returned as text, as Sprig does.
fn bcrypt_text(ctx: &CallCtx<'_>, password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    ctx.env.rng.borrow_mut().fill_bytes(&mut salt);
    match bcrypt::hash_with_salt(password, 10, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

fn bcrypt(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(bcrypt_text(ctx, str_at(&args, 0))))
}

/// `htpasswd user password`: `user:$2a$10$…`, or `invalid username: …` for a user with a colon.
fn htpasswd(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let user = str_at(&args, 0);
    if user.contains(':') {
        return Ok(Value::string(format!("invalid username: {user}")));
    }
    Ok(Value::string(format!(
        "{user}:{}",
        bcrypt_text(ctx, str_at(&args, 1))
    )))
}

const MASTER_PASSWORD_SEED: &[u8] = b"com.lyndir.masterpassword";

fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// The Master Password algorithm as Sprig implements it: scrypt(password, seed‖len(user)‖user,
/// N=32768, r=8, p=2, 64 bytes) keys an HMAC-SHA256 over seed‖len(site)‖site‖counter; the digest picks a
/// template and then each character.
pub fn master_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = password_templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_PASSWORD_SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let derived = scrypt::Params::new(15, 8, 2, 64)
        .map_err(|e| e.to_string())
        .and_then(|params| {
            scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())
        });
    if let Err(e) = derived {
        return format!("failed to derive password: {e}");
    }
    let mut message = MASTER_PASSWORD_SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        return "failed to derive password: invalid key".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_characters(class);
            chars[usize::from(seed[i + 1]) % chars.len()] as char
        })
        .collect()
}

fn derive_password(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let counter = match args.first() {
        Some(Value::Uint(n, _)) => *n as u32,
        Some(Value::Int(n, _)) => *n as u32,
        _ => 0,
    };
    Ok(Value::string(master_password(
        counter,
        str_at(&args, 1),
        str_at(&args, 2),
        str_at(&args, 3),
        str_at(&args, 4),
    )))
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let bytes = password.as_bytes();
    let n = bytes.len().min(32);
    key[..n].copy_from_slice(&bytes[..n]);
    key
}

/// Sprig's `encryptAES`: base64(IV ‖ AES-256-CBC(PKCS#7-padded plaintext)); "" for "".
pub fn encrypt_aes_with_iv(password: &str, plaintext: &str, iv: [u8; 16]) -> String {
    let mut content = crate::template::gostr::to_bytes(plaintext).into_owned();
    let padding = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(padding as u8, padding));
    let len = content.len();
    let encryptor = cbc::Encryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let ciphertext = match encryptor
        .encrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut content, len)
    {
        Ok(c) => c.to_vec(),
        Err(_) => return String::new(),
    };
    let mut out = iv.to_vec();
    out.extend_from_slice(&ciphertext);
    base64_encode(&out)
}

fn encrypt_aes(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let plaintext = str_at(&args, 1);
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let mut iv = [0u8; 16];
    ctx.env.rng.borrow_mut().fill_bytes(&mut iv);
    Ok(Value::string(encrypt_aes_with_iv(
        str_at(&args, 0),
        plaintext,
        iv,
    )))
}

/// Sprig's `decryptAES`, with the Go panics its unchecked slicing raises on bad input.
pub fn decrypt_aes_text(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = base64_decode(crypt64.as_bytes())
        .map_err(|at| format!("illegal base64 data at input byte {at}"))?;
    if crypt.len() < 16 {
        let capacity = crypt64.len() / 4 * 3;
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {capacity}"
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".to_string());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".to_string());
    }
    let mut buf = body.to_vec();
    let iv: [u8; 16] = iv
        .try_into()
        .map_err(|_| "crypto/cipher: input not full blocks".to_string())?;
    let decryptor = cbc::Decryptor::<aes::Aes256>::new(&aes_key(password).into(), &iv.into());
    let plain = decryptor
        .decrypt_padded_mut::<aes::cipher::block_padding::NoPadding>(&mut buf)
        .map_err(|_| "crypto/cipher: input not full blocks".to_string())?;
    let pad = usize::from(plain[plain.len() - 1]);
    if pad > plain.len() {
        let end = plain.len() as i64 - pad as i64;
        return Err(format!("runtime error: slice bounds out of range [:{end}]"));
    }
    Ok(crate::template::gostr::from_bytes(&plain[..plain.len() - pad]).into_owned())
}

fn decrypt_aes(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    decrypt_aes_text(str_at(&args, 0), str_at(&args, 1))
        .map(Value::string)
        .map_err(FuncError::msg)
}

/// `randBytes n`: base64 of `n` random bytes.
fn rand_bytes(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let n = match args.first() {
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    };
    let Ok(n) = usize::try_from(n) else {
        return Err(FuncError::msg("runtime error: makeslice: len out of range"));
    };
    let mut buf = vec![0u8; n];
    ctx.env.rng.borrow_mut().fill_bytes(&mut buf);
    Ok(Value::string(base64_encode(&buf)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_call::{call, err_text};

    fn text(v: Value) -> String {
        v.as_str().unwrap().to_string()
    }

    // Expected values from helm v3.17.3.
    #[test]
    fn hashes_match_go() {
        assert_eq!(
            text(call(sha512sum, vec![Value::str("x")]).unwrap()),
            "a4abd4448c49562d828115d13a1fccea927f52b4d5459297f8b43e42da89238bc13626e43dcb38ddb082488927ec904fb42057443983e88585179d50551afe62"
        );
        assert_eq!(
            text(call(sha256sum, vec![Value::str("x")]).unwrap()),
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
        assert_eq!(
            text(call(adler32sum, vec![Value::str("hello")]).unwrap()),
            "103547413"
        );
    }

    // {{ derivePassword 1 "long" "password" "user" "example.com" }} → ZedaFaxcZaso9*
    // {{ derivePassword 2 "maximum" "pw" "u" "s" }} → S2$TYTKe9bU9YXWCqT@%
    #[test]
    fn derive_password_matches_sprig() {
        assert_eq!(
            master_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            master_password(2, "maximum", "pw", "u", "s"),
            "S2$TYTKe9bU9YXWCqT@%"
        );
        assert_eq!(master_password(1, "pin", "pw", "u", "s"), "6287");
        assert_eq!(
            master_password(1, "nope", "pw", "u", "s"),
            "cannot find password template nope"
        );
    }

    // {{ encryptAES "secretkey" "plaintext" }} gave 3XRHPFSERMawWdE7pKyL3MfDsD2hKoVfkHO+2ABwYmE=
    #[test]
    fn aes_decrypts_helm_ciphertext_and_round_trips() {
        assert_eq!(
            decrypt_aes_text("secretkey", "3XRHPFSERMawWdE7pKyL3MfDsD2hKoVfkHO+2ABwYmE=").unwrap(),
            "plaintext"
        );
        let c = text(
            call(
                encrypt_aes,
                vec![Value::str("k"), Value::str("hello world, long enough")],
            )
            .unwrap(),
        );
        assert_eq!(
            decrypt_aes_text("k", &c).unwrap(),
            "hello world, long enough"
        );
        assert_eq!(
            decrypt_aes_text("k", "YQ==").unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
        assert_eq!(
            decrypt_aes_text("k", "!!").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
        assert_eq!(
            decrypt_aes_text("k", "MDEyMzQ1Njc4OTAxMjM0NTY3OA==").unwrap_err(),
            "crypto/cipher: input not full blocks"
        );
        assert_eq!(
            decrypt_aes_text("k", "MDEyMzQ1Njc4OTAxMjM0NQ==").unwrap_err(),
            "runtime error: index out of range [-1]"
        );
    }

    #[test]
    fn bcrypt_shape_and_verification() {
        let h = text(call(bcrypt, vec![Value::str("secret")]).unwrap());
        assert!(h.starts_with("$2a$10$") && h.len() == 60, "{h}");
        assert!(::bcrypt::verify("secret", &h).unwrap());
        let long = "0".repeat(73);
        assert_eq!(
            text(call(bcrypt, vec![Value::string(long)]).unwrap()),
            "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
        );
        assert_eq!(
            text(call(htpasswd, vec![Value::str("a:b"), Value::str("x")]).unwrap()),
            "invalid username: a:b"
        );
        assert!(
            text(call(htpasswd, vec![Value::str("a"), Value::str("x")]).unwrap())
                .starts_with("a:$2a$10$")
        );
        assert_eq!(
            err_text(call(rand_bytes, vec![Value::int(-1)])),
            "runtime error: makeslice: len out of range"
        );
    }

    #[test]
    fn theme_registers_eighteen_names() {
        assert_eq!(FUNCS.len(), 18);
    }
}
