//! Sprig's key and certificate generators: `genPrivateKey buildCustomCert genCA genCAWithKey
//! genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey`.
//!
//! Results are `sprig.certificate` host objects with `.Cert` and `.Key` PEM strings. Keys are PEM-encoded
//! as Go writes them: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC 1, P-256) and `PRIVATE KEY`
//! (PKCS#8, Ed25519). Certificates follow Sprig's template: a random 128-bit serial, subject `CN` only,
//! validity now … now + days, key usages key encipherment + digital signature (+ cert sign for a CA),
//! extended key usages server + client auth, basic constraints (CA true/false), DNS and IP SANs.
//!
//! Where this falls short of Go: keys and certificates are random in Helm too, so only their shape can
//! be compared; certificates are built by `rcgen`, which writes the same extensions (a subject key identifier
//! only for CAs, an authority key identifier for certificates signed by one) in another order; DSA keys are generated, written and
//! read back, and (as in Go) refused for certificates; Ed25519 PKCS#8 keys carry the public key (v2) where Go
//! writes v1; inner parse-error texts from Go's `x509` package are not reproduced word for word.
use std::any::Any;
use std::net::IpAddr;
use std::rc::Rc;

use rand::RngCore;
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
    SignatureAlgorithm,
};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use super::str_at;
use crate::template::fmt::format_v;
use crate::template::funcs::sprig::encoding::{base64_decode, base64_encode};
use crate::template::funcs::{CallCtx, FuncError};
use crate::template::value::{MapEntries, Object, Value};

/// The Go type of the certificate objects.
pub const CERTIFICATE: &str = "sprig.certificate";

/// Sprig's `certificate` struct.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        CERTIFICATE
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Cert" => Some(Value::str(&self.cert)),
            "Key" => Some(Value::str(&self.key)),
            _ => None,
        }
    }

    /// Go's `%v` of the struct: `{CERT KEY}`.
    fn format_v(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn format_plus_v(&self) -> String {
        format!("{{Cert:{} Key:{}}}", self.cert, self.key)
    }

    fn to_json_value(&self) -> Option<Value> {
        let mut m = MapEntries::new();
        m.insert("Cert".into(), Value::str(&self.cert));
        m.insert("Key".into(), Value::str(&self.key));
        Some(Value::map(m))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A PEM block: its type and decoded bytes.
pub struct PemBlock {
    pub label: String,
    pub der: Vec<u8>,
}

/// Go's `pem.Decode` for the first block of `text` (headers are skipped).
pub fn pem_decode(text: &str) -> Option<PemBlock> {
    let mut rest = text;
    loop {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let label_end = after.find("-----")?;
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        if let Some(end) = body_start.find(&end_marker) {
            let body: String = body_start[..end]
                .lines()
                .filter(|l| !l.contains(':'))
                .flat_map(|l| l.trim().chars())
                .collect();
            if let Ok(der) = base64_decode(body.as_bytes()) {
                return Some(PemBlock {
                    label: label.to_string(),
                    der,
                });
            }
        }
        rest = body_start;
    }
}

/// Go's `pem.EncodeToMemory`: 64-column base64 lines.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// A private key of one of the kinds Sprig generates.
enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    /// PKCS#8 DER of an Ed25519 key.
    Ed25519(Vec<u8>),
    /// A DSA key; Go can write and read it but not sign certificates with it.
    Dsa(Box<dsa::SigningKey>),
}

impl PrivateKey {
    /// The PEM block Sprig's `pemBlockForKey` writes.
    fn to_go_pem(&self) -> Result<String, String> {
        match self {
            PrivateKey::Rsa(k) => {
                let der = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                Ok(pem_encode("RSA PRIVATE KEY", der.as_bytes()))
            }
            PrivateKey::Ec(k) => {
                let der = k.to_sec1_der().map_err(|e| e.to_string())?;
                Ok(pem_encode("EC PRIVATE KEY", &der))
            }
            PrivateKey::Ed25519(der) => Ok(pem_encode("PRIVATE KEY", der)),
            PrivateKey::Dsa(k) => Ok(pem_encode("DSA PRIVATE KEY", &dsa_der(k))),
        }
    }

    /// The key as rcgen signs with it.
    fn key_pair(&self) -> Result<KeyPair, String> {
        let (pkcs8, alg): (Vec<u8>, &'static SignatureAlgorithm) = match self {
            PrivateKey::Rsa(k) => (
                k.to_pkcs8_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
                &rcgen::PKCS_RSA_SHA256,
            ),
            PrivateKey::Ec(k) => (
                k.to_pkcs8_der()
                    .map_err(|e| e.to_string())?
                    .as_bytes()
                    .to_vec(),
                &rcgen::PKCS_ECDSA_P256_SHA256,
            ),
            PrivateKey::Ed25519(der) => (der.clone(), &rcgen::PKCS_ED25519),
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".to_string(),
                )
            }
        };
        KeyPair::from_pkcs8_pem_and_sign_algo(&pem_encode("PRIVATE KEY", &pkcs8), alg)
            .map_err(|e| e.to_string())
    }
}

fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
    super::rsa_keygen::generate(bits).map(|k| PrivateKey::Rsa(Box::new(k)))
}

fn generate_key(kind: &str) -> Result<Result<PrivateKey, String>, String> {
    Ok(match kind {
        "" | "rsa" => generate_rsa(4096),
        "ecdsa" => Ok(PrivateKey::Ec(p256::SecretKey::random(
            &mut p256::elliptic_curve::rand_core::OsRng,
        ))),
        "ed25519" => KeyPair::generate_for(&rcgen::PKCS_ED25519)
            .map(|k| PrivateKey::Ed25519(k.serialize_der()))
            .map_err(|e| e.to_string()),
        "dsa" => {
            let mut rng = rsa::rand_core::OsRng;
            let components = dsa::Components::generate(&mut rng, dsa::KeySize::DSA_2048_256);
            Ok(PrivateKey::Dsa(Box::new(dsa::SigningKey::generate(
                &mut rng, components,
            ))))
        }
        other => return Err(format!("Unknown type {other}")),
    })
}

/// `genPrivateKey "rsa"|"ecdsa"|"ed25519"|"dsa"`: a PEM key; failures are returned as text.
pub fn gen_private_key(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = match generate_key(str_at(&args, 0)) {
        Err(unknown) => unknown,
        Ok(Err(e)) => format!("failed to generate private key: {e}"),
        Ok(Ok(key)) => key.to_go_pem().unwrap_or_default(),
    };
    Ok(Value::string(text))
}

/// Sprig's `parsePrivateKeyPEM`.
fn parse_private_key_pem(text: &str) -> Result<PrivateKey, String> {
    let block = pem_decode(text).ok_or_else(|| "no PEM data in input".to_string())?;
    if block.label == "PRIVATE KEY" {
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(&block.der) {
            return Ok(PrivateKey::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(&block.der) {
            return Ok(PrivateKey::Ec(k));
        }
        let pem = pem_encode("PRIVATE KEY", &block.der);
        return match KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_ED25519) {
            Ok(_) => Ok(PrivateKey::Ed25519(block.der)),
            Err(e) => Err(format!("decoding PEM as PKCS#8: {e}")),
        };
    }
    let Some(kind) = block.label.strip_suffix(" PRIVATE KEY") else {
        return Err(format!(
            "no private key data in PEM block of type {}",
            block.label
        ));
    };
    match kind {
        "RSA" => rsa::RsaPrivateKey::from_pkcs1_der(&block.der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC" => p256::SecretKey::from_sec1_der(&block.der)
            .map(PrivateKey::Ec)
            .map_err(|e| format!("parsing EC private key from PEM: {e}")),
        "DSA" => parse_dsa_der(&block.der)
            .map(|k| PrivateKey::Dsa(Box::new(k)))
            .ok_or_else(|| "parsing DSA private key from PEM: asn1: structure error".to_string()),
        _ => Err(format!("invalid private key type {}", block.label)),
    }
}

/// A DER INTEGER of a non-negative big-endian magnitude.
fn der_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = if trimmed.is_empty() { vec![0] } else { trimmed };
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    out.push(0x02);
    der_length(out, content.len());
    out.extend_from_slice(&content);
}

fn der_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
}

/// Sprig's `DSAKeyFormat` as `encoding/asn1` marshals it: SEQUENCE { 0, P, Q, G, Y, X }.
fn dsa_der(key: &dsa::SigningKey) -> Vec<u8> {
    let vk = key.verifying_key();
    let c = vk.components();
    let mut body = Vec::new();
    der_integer(&mut body, &[0]);
    for n in [c.p(), c.q(), c.g(), vk.y(), key.x()] {
        der_integer(&mut body, &n.to_bytes_be());
    }
    let mut out = vec![0x30];
    der_length(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

/// Reads one DER TLV: (tag, content, rest).
fn der_read(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        rest = &rest[n..];
        len
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

fn parse_dsa_der(der: &[u8]) -> Option<dsa::SigningKey> {
    let (0x30, mut body, _) = der_read(der)? else {
        return None;
    };
    let mut ints = Vec::new();
    while !body.is_empty() {
        let (0x02, content, rest) = der_read(body)? else {
            return None;
        };
        ints.push(dsa::BigUint::from_bytes_be(content));
        body = rest;
    }
    let [_, p, q, g, y, x] = <[dsa::BigUint; 6]>::try_from(ints).ok()?;
    let components = dsa::Components::from_components(p, q, g).ok()?;
    let vk = dsa::VerifyingKey::from_components(components, y).ok()?;
    dsa::SigningKey::from_components(vk, x).ok()
}

fn list_items(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::List(l)) => l.items().to_vec(),
        _ => Vec::new(),
    }
}

fn net_ips(v: Option<&Value>) -> Result<Vec<IpAddr>, String> {
    list_items(v)
        .iter()
        .map(|ip| match ip {
            Value::String(s) => s
                .parse::<IpAddr>()
                .map_err(|_| format!("error parsing ip: {s}")),
            other => Err(format!(
                "error parsing ip: {} is not a string",
                format_v(other)
            )),
        })
        .collect()
}

fn dns_names(v: Option<&Value>) -> Result<Vec<String>, String> {
    list_items(v)
        .iter()
        .map(|d| match d {
            Value::String(s) => Ok(s.to_string()),
            other => Err(format!(
                "error processing alternate dns name: {} is not a string",
                format_v(other)
            )),
        })
        .collect()
}

fn int_at(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    }
}

/// Sprig's `getBaseCertTemplate`.
fn base_params(
    ctx: &CallCtx<'_>,
    cn: &str,
    ips: Vec<IpAddr>,
    dns: Vec<String>,
    days: i64,
) -> Result<CertificateParams, String> {
    let mut params = CertificateParams::default();
    let mut serial = [0u8; 16];
    // Go's `rand.Int` below 2^128, written as a positive DER integer (17 bytes when the top bit
    // is set, fewer with leading zeros), as rcgen writes a serial.
    ctx.env.rng.borrow_mut().fill_bytes(&mut serial);
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let mut dn = DistinguishedName::new();
    // Go's asn1 writes a string as PrintableString when it can, else UTF8String.
    match cn.try_into() {
        Ok(printable) => dn.push(DnType::CommonName, DnValue::PrintableString(printable)),
        Err(_) => dn.push(DnType::CommonName, cn),
    }
    params.distinguished_name = dn;
    for name in dns {
        let name = name.try_into().map_err(|e: rcgen::Error| e.to_string())?;
        params.subject_alt_names.push(SanType::DnsName(name));
    }
    params
        .subject_alt_names
        .extend(ips.into_iter().map(SanType::IpAddress));
    let now = ctx.env.now();
    let not_before =
        time::OffsetDateTime::from_unix_timestamp(now.timestamp()).map_err(|e| e.to_string())?;
    params.not_before = not_before;
    params.not_after = not_before + time::Duration::days(days);
    params.key_usages = vec![
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    // Basic constraints `CA:FALSE` (critical) as Go writes them for Sprig's leaf certificates, and
    // no subject key identifier: Go derives one only for a CA, where rcgen would add it to every
    // certificate that states basic constraints (33 bytes more; the PEM text's length shows).
    params.is_ca = IsCa::NoCa;
    let mut basic_constraints =
        CustomExtension::from_oid_content(&[2, 5, 29, 19], vec![0x30, 0x00]);
    basic_constraints.set_criticality(true);
    params.custom_extensions = vec![basic_constraints];
    Ok(params)
}

fn certificate(cert_pem: String, key: &PrivateKey) -> Result<Value, FuncError> {
    let key_pem = key
        .to_go_pem()
        .map_err(|e| FuncError::msg(format!("error pem-encoding key: {e}")))?;
    Ok(Value::Object(Rc::new(Certificate {
        cert: cert_pem,
        key: key_pem,
    })))
}

fn self_signed(params: CertificateParams, key: &PrivateKey) -> Result<Value, FuncError> {
    let pair = key
        .key_pair()
        .map_err(|e| FuncError::msg(format!("error creating certificate: {e}")))?;
    let cert = params
        .self_signed(&pair)
        .map_err(|e| FuncError::msg(format!("error creating certificate: {e}")))?;
    certificate(cert.pem(), key)
}

fn ca(ctx: &CallCtx<'_>, args: &[Value], key: &PrivateKey) -> Result<Value, FuncError> {
    let mut params = base_params(
        ctx,
        str_at(args, 0),
        Vec::new(),
        Vec::new(),
        int_at(args, 1),
    )
    .map_err(FuncError::msg)?;
    params.key_usages.push(KeyUsagePurpose::KeyCertSign);
    params.custom_extensions.clear();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    self_signed(params, key)
}

fn rsa_2048() -> Result<PrivateKey, FuncError> {
    generate_rsa(2048).map_err(|e| FuncError::msg(format!("error generating rsa key: {e}")))
}

fn key_arg(args: &[Value], i: usize) -> Result<PrivateKey, FuncError> {
    parse_private_key_pem(str_at(args, i))
        .map_err(|e| FuncError::msg(format!("parsing private key: {e}")))
}

pub fn gen_ca(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    ca(ctx, &args, &rsa_2048()?)
}

pub fn gen_ca_with_key(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let key = key_arg(&args, 2)?;
    ca(ctx, &args, &key)
}

fn leaf_params(ctx: &CallCtx<'_>, args: &[Value]) -> Result<CertificateParams, FuncError> {
    let ips = net_ips(args.get(1)).map_err(FuncError::msg)?;
    let dns = dns_names(args.get(2)).map_err(FuncError::msg)?;
    base_params(ctx, str_at(args, 0), ips, dns, int_at(args, 3)).map_err(FuncError::msg)
}

pub fn gen_self_signed_cert(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let key = rsa_2048()?;
    self_signed(leaf_params(ctx, &args)?, &key)
}

pub fn gen_self_signed_cert_with_key(
    ctx: &mut CallCtx<'_>,
    args: Vec<Value>,
) -> Result<Value, FuncError> {
    let key = key_arg(&args, 4)?;
    self_signed(leaf_params(ctx, &args)?, &key)
}

fn signed(ctx: &CallCtx<'_>, args: &[Value], key: &PrivateKey) -> Result<Value, FuncError> {
    let ca = match args.get(4) {
        Some(Value::Object(o)) => o.as_any().downcast_ref::<Certificate>().cloned(),
        _ => None,
    }
    .unwrap_or(Certificate {
        cert: String::new(),
        key: String::new(),
    });
    let block =
        pem_decode(&ca.cert).ok_or_else(|| FuncError::msg("unable to decode certificate"))?;
    let has_subject_key_id = match x509_parser::parse_x509_certificate(&block.der) {
        Ok((_, parsed)) => parsed
            .extensions()
            .iter()
            .any(|e| e.oid == x509_parser::oid_registry::OID_X509_EXT_SUBJECT_KEY_IDENTIFIER),
        Err(e) => {
            return Err(FuncError::msg(format!(
                "error parsing certificate: decodedSignerCert.Bytes: {e}"
            )))
        }
    };
    let signer = parse_private_key_pem(&ca.key)
        .map_err(|e| FuncError::msg(format!("error parsing private key: {e}")))?;
    let mut params = leaf_params(ctx, args)?;
    // Go names the signer's subject key identifier as the authority key identifier.
    params.use_authority_key_identifier_extension = has_subject_key_id;
    let create = |e: String| FuncError::msg(format!("error creating certificate: {e}"));
    let signer_pair = signer.key_pair().map_err(create)?;
    let issuer = Issuer::from_ca_cert_der(&block.der.clone().into(), signer_pair)
        .map_err(|e| create(e.to_string()))?;
    let pair = key.key_pair().map_err(create)?;
    let cert = params
        .signed_by(&pair, &issuer)
        .map_err(|e| create(e.to_string()))?;
    certificate(cert.pem(), key)
}

pub fn gen_signed_cert(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let key = rsa_2048()?;
    signed(ctx, &args, &key)
}

pub fn gen_signed_cert_with_key(
    ctx: &mut CallCtx<'_>,
    args: Vec<Value>,
) -> Result<Value, FuncError> {
    let key = key_arg(&args, 5)?;
    signed(ctx, &args, &key)
}

/// `buildCustomCert b64cert b64key`: validates and wraps an existing certificate and key.
pub fn build_custom_cert(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let cert = base64_decode(str_at(&args, 0).as_bytes())
        .map_err(|_| FuncError::msg("unable to decode base64 certificate"))?;
    let key = base64_decode(str_at(&args, 1).as_bytes())
        .map_err(|_| FuncError::msg("unable to decode base64 private key"))?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let block = pem_decode(&cert).ok_or_else(|| FuncError::msg("unable to decode certificate"))?;
    if let Err(e) = x509_parser::parse_x509_certificate(&block.der) {
        return Err(FuncError::msg(format!(
            "error parsing certificate: decodedCert.Bytes: {e}"
        )));
    }
    parse_private_key_pem(&key)
        .map_err(|e| FuncError::msg(format!("error parsing private key: {e}")))?;
    Ok(Value::Object(Rc::new(Certificate { cert, key })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_call::{call, err_text};
    use x509_parser::prelude::*;

    fn cert_of(v: &Value) -> Certificate {
        let Value::Object(o) = v else {
            panic!("not a certificate")
        };
        o.as_any().downcast_ref::<Certificate>().unwrap().clone()
    }

    #[test]
    fn private_keys_have_go_pem_types() {
        for (kind, label) in [("ecdsa", "EC PRIVATE KEY"), ("ed25519", "PRIVATE KEY")] {
            let pem = call(gen_private_key, vec![Value::str(kind)]).unwrap();
            let block = pem_decode(pem.as_str().unwrap()).unwrap();
            assert_eq!(block.label, label);
            assert!(parse_private_key_pem(pem.as_str().unwrap()).is_ok());
        }
        // helm: {{ genPrivateKey "foo" }} → Unknown type foo
        assert_eq!(
            call(gen_private_key, vec![Value::str("foo")])
                .unwrap()
                .as_str(),
            Some("Unknown type foo")
        );
    }

    #[test]
    fn ca_and_signed_cert_parse_back() {
        let key = call(gen_private_key, vec![Value::str("ecdsa")]).unwrap();
        let ca = call(
            gen_ca_with_key,
            vec![Value::str("my-ca"), Value::int(365), key.clone()],
        )
        .unwrap();
        let ca_cert = cert_of(&ca);
        let block = pem_decode(&ca_cert.cert).unwrap();
        assert_eq!(block.label, "CERTIFICATE");
        let (_, parsed) = parse_x509_certificate(&block.der).unwrap();
        assert_eq!(parsed.subject().to_string(), "CN=my-ca");
        assert!(parsed.is_ca());
        let validity = parsed.validity();
        assert_eq!(
            validity.not_after.timestamp() - validity.not_before.timestamp(),
            365 * 86_400
        );

        let ips = Value::list(vec![Value::str("10.0.0.1")]);
        let dns = Value::list(vec![Value::str("a.example.com")]);
        let leaf = call(
            gen_signed_cert_with_key,
            vec![Value::str("leaf"), ips, dns, Value::int(30), ca, key],
        )
        .unwrap();
        let block = pem_decode(&cert_of(&leaf).cert).unwrap();
        let (_, parsed) = parse_x509_certificate(&block.der).unwrap();
        assert_eq!(parsed.issuer().to_string(), "CN=my-ca");
        assert!(!parsed.is_ca());
        let san = parsed.subject_alternative_name().unwrap().unwrap();
        assert_eq!(san.value.general_names.len(), 2);
    }

    // helm: {{ genCAWithKey "x" 1 (genPrivateKey "dsa") }} → error calling genCAWithKey: error creating
    // certificate: x509: certificate private key does not implement crypto.Signer
    #[test]
    fn dsa_keys_round_trip_and_cannot_sign() {
        let pem = call(gen_private_key, vec![Value::str("dsa")]).unwrap();
        let pem = pem.as_str().unwrap().to_string();
        assert!(
            pem.starts_with("-----BEGIN DSA PRIVATE KEY-----\n"),
            "{pem}"
        );
        let PrivateKey::Dsa(k) = parse_private_key_pem(&pem).unwrap() else {
            panic!("not DSA")
        };
        assert_eq!(pem_encode("DSA PRIVATE KEY", &dsa_der(&k)), pem);
        assert_eq!(
            err_text(call(gen_ca_with_key, vec![Value::str("x"), Value::int(1), Value::string(pem)])),
            "error creating certificate: x509: certificate private key does not implement crypto.Signer"
        );
    }

    #[test]
    fn argument_errors_match_sprig() {
        let bad_ip = Value::list(vec![Value::str("nope")]);
        assert_eq!(
            err_text(call(
                gen_self_signed_cert_with_key,
                vec![
                    Value::str("x"),
                    bad_ip,
                    Value::Nil,
                    Value::int(1),
                    Value::str("")
                ]
            )),
            "parsing private key: no PEM data in input"
        );
        assert_eq!(
            err_text(call(
                build_custom_cert,
                vec![Value::str("!"), Value::str("")]
            )),
            "unable to decode base64 certificate"
        );
        assert_eq!(
            err_text(call(
                build_custom_cert,
                vec![Value::str("YQ=="), Value::str("")]
            )),
            "unable to decode certificate"
        );
        assert_eq!(
            net_ips(Some(&Value::list(vec![Value::int(1)]))).unwrap_err(),
            "error parsing ip: 1 is not a string"
        );
    }
}
