//! Sealed capture (`audit.capture: sealed`): the captured texts of a record, encrypted to the
//! compliance office's public keys so that the audit file, the access log and every sink hold
//! ciphertext only. The gateway holds public keys only. See docs/audit.md.
//!
//! Envelope, per record:
//! - a fresh 32-byte content key encrypts the texts (one JSON object, `{"request_text": ..,
//!   "response_text": ..}`) with ChaCha20-Poly1305 (the key is used once, so the nonce is zero);
//! - for each recipient, HPKE (RFC 9180, base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
//!   ChaCha20-Poly1305) wraps the content key;
//! - both use the record's binding ([`binding`]: request id, chain id, chain seq) as associated
//!   data, so an envelope moved to another record, or a record whose id or chain position was
//!   edited, no longer opens.
//!
//! Randomness (the content key and one X25519 ephemeral per recipient) is drawn when the
//! request is decided ([`Sealer::draw`], WASI `random_get` inside Envoy): if it fails the request
//! is refused before it goes anywhere. The sealing itself runs when the record is finished.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead as _, KeyInit, Payload};
use hpke::aead::ChaCha20Poly1305 as HpkeChaCha;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type Kem = X25519HkdfSha256;
type PublicKey = <Kem as hpke::Kem>::PublicKey;
type PrivateKey = <Kem as hpke::Kem>::PrivateKey;
type EncappedKey = <Kem as hpke::Kem>::EncappedKey;

/// The suite name written into every envelope.
pub const SUITE: &str = "hpke-base-x25519-hkdf-sha256-chacha20poly1305";
/// HPKE `info`: what the wrapped key is for.
const INFO: &[u8] = b"itar-audit sealed capture v1";
/// Bytes of randomness per record: the content key, then 32 per recipient (ephemeral key).
const KEY_BYTES: usize = 32;
/// Prefix of a key file's line (`itar-audit keygen`).
pub const PRIVATE_PREFIX: &str = "itar-audit-seal-private-key-v1:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("not a public key: {0}")]
    BadPublicKey(String),
    #[error("not a private key: {0}")]
    BadPrivateKey(String),
    #[error("the random source failed: {0}")]
    Random(String),
    #[error("no randomness was drawn for this record")]
    NoSeed,
    #[error("encryption failed: {0}")]
    Encrypt(String),
    #[error("the envelope is not for this key (no recipient with key id {0})")]
    NotForThisKey(String),
    #[error("the envelope does not open: {0}")]
    Open(String),
    #[error("the envelope is malformed: {0}")]
    Malformed(String),
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn unb64(s: &str, what: &str) -> Result<Vec<u8>, SealError> {
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .map_err(|e| SealError::Malformed(format!("{what}: {e}")))
}

/// Key id of a public key: the first 8 bytes of its sha256, in hex.
pub fn key_id(public: &[u8]) -> String {
    crate::audit::hex(Sha256::digest(public).get(..8).unwrap_or(&[]))
}

/// What binds an envelope to its record: the request id and the chain position.
pub fn binding(request_id: &str, chain_id: &str, seq: u64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64 + request_id.len() + chain_id.len());
    aad.extend_from_slice(b"itar-audit/sealed/1\0");
    aad.extend_from_slice(request_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(chain_id.as_bytes());
    aad.push(0);
    aad.extend_from_slice(seq.to_string().as_bytes());
    aad
}

/// One recipient: a name (for people) and an X25519 public key.
#[derive(Clone)]
pub struct Recipient {
    pub name: String,
    pub kid: String,
    key: PublicKey,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({}, {})", self.name, self.kid)
    }
}

impl Recipient {
    /// A recipient from its base64 public key (32 bytes). A key that cannot be sealed to (not 32
    /// bytes, or a low-order point every shared secret with is zero) is refused here, at
    /// configure time, so a policy naming it is refused and the old one keeps serving.
    pub fn parse(name: &str, public_b64: &str) -> Result<Recipient, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(public_b64.trim())
            .map_err(|e| SealError::BadPublicKey(format!("not base64: {e}")))?;
        if bytes.len() != 32 {
            return Err(SealError::BadPublicKey(format!(
                "{} bytes, an X25519 public key has 32",
                bytes.len()
            )));
        }
        let key =
            PublicKey::from_bytes(&bytes).map_err(|e| SealError::BadPublicKey(format!("{e:?}")))?;
        let r = Recipient {
            name: name.to_string(),
            kid: key_id(&bytes),
            key,
        };
        // A trial wrap with fixed randomness: a low-order point fails here (zero shared secret).
        let seed = SealSeed(vec![7u8; 2 * KEY_BYTES]);
        Sealer {
            recipients: vec![r.clone()],
        }
        .seal(&seed, b"trial", b"{}")
        .map_err(|e| SealError::BadPublicKey(format!("cannot seal to it: {e}")))?;
        Ok(r)
    }
}

/// The recipients a policy seals to.
#[derive(Debug, Clone)]
pub struct Sealer {
    pub recipients: Vec<Recipient>,
}

/// Randomness drawn for one record (content key + one ephemeral key per recipient).
#[derive(Clone, PartialEq, Eq)]
pub struct SealSeed(Vec<u8>);

impl std::fmt::Debug for SealSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealSeed({} bytes)", self.0.len())
    }
}

/// A wrapped content key for one recipient.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Wrapped {
    /// Key id of the recipient's public key ([`key_id`]).
    pub kid: String,
    /// HPKE encapsulated key (the ephemeral X25519 public key), base64.
    pub enc: String,
    /// The content key, HPKE-sealed, base64.
    pub key: String,
}

/// The `sealed` field of a record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Envelope {
    pub suite: String,
    pub to: Vec<Wrapped>,
    /// The captured texts as a JSON object, encrypted with the content key, base64.
    pub ct: String,
}

/// The captured texts inside an envelope.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sealed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_text: Option<String>,
}

/// Hands out drawn bytes to HPKE's key generation; never more than it holds (an exhausted source
/// is noticed and the result thrown away: see [`Sealer::seal`]).
struct SeedRng<'a> {
    bytes: &'a [u8],
    exhausted: bool,
}

impl rand_core::RngCore for SeedRng<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        match (self.bytes.get(..dst.len()), self.bytes.get(dst.len()..)) {
            (Some(head), Some(rest)) => {
                dst.copy_from_slice(head);
                self.bytes = rest;
            }
            _ => {
                dst.fill(0);
                self.exhausted = true;
            }
        }
    }
}

impl rand_core::CryptoRng for SeedRng<'_> {}

impl Sealer {
    pub fn new(recipients: Vec<Recipient>) -> Sealer {
        Sealer { recipients }
    }

    fn seed_len(&self) -> usize {
        KEY_BYTES * (1 + self.recipients.len())
    }

    /// Draw the randomness one record needs from the OS (WASI `random_get` inside Envoy).
    pub fn draw(&self) -> Result<SealSeed, SealError> {
        let mut b = vec![0u8; self.seed_len()];
        getrandom::fill(&mut b).map_err(|e| SealError::Random(e.to_string()))?;
        Ok(SealSeed(b))
    }

    /// Seal `plaintext` to every recipient, bound to `aad` ([`binding`]).
    pub fn seal(
        &self,
        seed: &SealSeed,
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Envelope, SealError> {
        if seed.0.len() != self.seed_len() {
            return Err(SealError::NoSeed);
        }
        let (cek, eph) = seed.0.split_at(KEY_BYTES);
        let cipher = chacha20poly1305::ChaCha20Poly1305::new_from_slice(cek)
            .map_err(|e| SealError::Encrypt(e.to_string()))?;
        let nonce = chacha20poly1305::Nonce::default();
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|e| SealError::Encrypt(e.to_string()))?;
        let mut to = Vec::with_capacity(self.recipients.len());
        for (r, eph) in self.recipients.iter().zip(eph.chunks(KEY_BYTES)) {
            let mut rng = SeedRng {
                bytes: eph,
                exhausted: false,
            };
            let (enc, wrapped) = hpke::single_shot_seal::<HpkeChaCha, HkdfSha256, Kem, _>(
                &OpModeS::Base,
                &r.key,
                INFO,
                cek,
                aad,
                &mut rng,
            )
            .map_err(|e| SealError::Encrypt(format!("{e:?}")))?;
            if rng.exhausted || !rng.bytes.is_empty() {
                return Err(SealError::Encrypt(
                    "the key encapsulation did not use exactly the drawn randomness".into(),
                ));
            }
            to.push(Wrapped {
                kid: r.kid.clone(),
                enc: b64(&enc.to_bytes()),
                key: b64(&wrapped),
            });
        }
        Ok(Envelope {
            suite: SUITE.into(),
            to,
            ct: b64(&ct),
        })
    }
}

/// A private key (what `itar-audit keygen` writes; the gateway never holds one).
pub struct PrivateKeyFile {
    key: PrivateKey,
    pub kid: String,
    pub public_b64: String,
}

impl PrivateKeyFile {
    /// A new key pair from 32 bytes of OS randomness.
    pub fn generate() -> Result<PrivateKeyFile, SealError> {
        let mut ikm = [0u8; 32];
        getrandom::fill(&mut ikm).map_err(|e| SealError::Random(e.to_string()))?;
        let (key, public) = Kem::derive_keypair(&ikm);
        let pb = public.to_bytes();
        Ok(PrivateKeyFile {
            key,
            kid: key_id(&pb),
            public_b64: b64(&pb),
        })
    }

    /// The key file's text: one line, `itar-audit-seal-private-key-v1:<base64>`.
    pub fn to_text(&self) -> String {
        format!("{PRIVATE_PREFIX}{}\n", b64(&self.key.to_bytes()))
    }

    pub fn parse(text: &str) -> Result<PrivateKeyFile, SealError> {
        let body = text
            .trim()
            .strip_prefix(PRIVATE_PREFIX)
            .ok_or_else(|| SealError::BadPrivateKey(format!("does not start {PRIVATE_PREFIX}")))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| SealError::BadPrivateKey(format!("not base64: {e}")))?;
        let key = PrivateKey::from_bytes(&bytes)
            .map_err(|e| SealError::BadPrivateKey(format!("{e:?}")))?;
        let pb = Kem::sk_to_pk(&key).to_bytes();
        Ok(PrivateKeyFile {
            key,
            kid: key_id(&pb),
            public_b64: b64(&pb),
        })
    }

    /// Open an envelope sealed to this key, bound to `aad`.
    pub fn open(&self, env: &Envelope, aad: &[u8]) -> Result<Sealed, SealError> {
        if env.suite != SUITE {
            return Err(SealError::Malformed(format!(
                "unknown suite {:?}",
                env.suite
            )));
        }
        let w = env
            .to
            .iter()
            .find(|w| w.kid == self.kid)
            .ok_or_else(|| SealError::NotForThisKey(self.kid.clone()))?;
        let enc = EncappedKey::from_bytes(&unb64(&w.enc, "enc")?)
            .map_err(|e| SealError::Malformed(format!("enc: {e:?}")))?;
        let cek = hpke::single_shot_open::<HpkeChaCha, HkdfSha256, Kem>(
            &OpModeR::Base,
            &self.key,
            &enc,
            INFO,
            &unb64(&w.key, "key")?,
            aad,
        )
        .map_err(|e| SealError::Open(format!("content key: {e:?}")))?;
        let cipher = chacha20poly1305::ChaCha20Poly1305::new_from_slice(&cek)
            .map_err(|e| SealError::Open(e.to_string()))?;
        let pt = cipher
            .decrypt(
                &chacha20poly1305::Nonce::default(),
                Payload {
                    msg: &unb64(&env.ct, "ct")?,
                    aad,
                },
            )
            .map_err(|_| SealError::Open("texts: authentication failed".into()))?;
        serde_json::from_slice(&pt).map_err(|e| SealError::Malformed(format!("texts: {e}")))
    }
}

/// The plaintext sealed into a record.
pub fn texts_json(texts: &Sealed) -> Result<Vec<u8>, SealError> {
    serde_json::to_vec(texts).map_err(|e| SealError::Encrypt(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn pair() -> (PrivateKeyFile, Recipient) {
        let k = PrivateKeyFile::generate().unwrap();
        let r = Recipient::parse("office", &k.public_b64).unwrap();
        (k, r)
    }

    fn texts() -> Sealed {
        Sealed {
            request_text: Some("fin actuator torque 24 Nm".into()),
            response_text: Some("answer \u{e9}".into()),
        }
    }

    #[test]
    fn seals_and_opens_for_every_recipient() {
        let (k1, r1) = pair();
        let (k2, r2) = pair();
        let s = Sealer::new(vec![r1, r2]);
        let aad = binding("req-1", "gw/c", 7);
        let env = s
            .seal(&s.draw().unwrap(), &aad, &texts_json(&texts()).unwrap())
            .unwrap();
        assert_eq!(env.to.len(), 2);
        assert!(!env.ct.contains("torque"));
        assert_eq!(k1.open(&env, &aad).unwrap(), texts());
        assert_eq!(k2.open(&env, &aad).unwrap(), texts());
        let (k3, _) = pair();
        assert!(matches!(
            k3.open(&env, &aad),
            Err(SealError::NotForThisKey(_))
        ));
    }

    #[test]
    fn bound_to_the_record() {
        let (k, r) = pair();
        let s = Sealer::new(vec![r]);
        let aad = binding("req-1", "gw/c", 7);
        let env = s
            .seal(&s.draw().unwrap(), &aad, &texts_json(&texts()).unwrap())
            .unwrap();
        for other in [
            binding("req-2", "gw/c", 7),
            binding("req-1", "gw/d", 7),
            binding("req-1", "gw/c", 8),
        ] {
            assert!(matches!(k.open(&env, &other), Err(SealError::Open(_))));
        }
        // Tampered ciphertext.
        let mut bad = env.clone();
        let mut ct = unb64(&bad.ct, "ct").unwrap();
        ct[0] ^= 1;
        bad.ct = b64(&ct);
        assert!(k.open(&bad, &aad).is_err());
    }

    #[test]
    fn fresh_randomness_per_record() {
        let (_, r) = pair();
        let s = Sealer::new(vec![r]);
        let (a, b) = (s.draw().unwrap(), s.draw().unwrap());
        assert_ne!(a, b);
        let aad = binding("r", "c", 1);
        let (ea, eb) = (
            s.seal(&a, &aad, b"{}").unwrap(),
            s.seal(&b, &aad, b"{}").unwrap(),
        );
        assert_ne!(ea.to[0].enc, eb.to[0].enc);
        assert_ne!(ea.ct, eb.ct);
    }

    #[test]
    fn a_seed_of_the_wrong_size_is_refused() {
        let (_, r) = pair();
        let s = Sealer::new(vec![r]);
        assert_eq!(
            s.seal(&SealSeed(vec![1; 32]), b"", b"{}"),
            Err(SealError::NoSeed)
        );
    }

    #[test]
    fn bad_public_keys_are_refused() {
        for bad in [
            "not base64!",
            "AAAA",
            // All-zero and other low-order points: every shared secret is zero.
            &b64(&[0u8; 32]),
            &b64(&{
                let mut p = [0u8; 32];
                p[0] = 1;
                p
            }),
        ] {
            assert!(
                matches!(Recipient::parse("x", bad), Err(SealError::BadPublicKey(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn key_file_round_trip() {
        let k = PrivateKeyFile::generate().unwrap();
        let text = k.to_text();
        assert!(text.starts_with(PRIVATE_PREFIX));
        let back = PrivateKeyFile::parse(&text).unwrap();
        assert_eq!(back.kid, k.kid);
        assert_eq!(back.public_b64, k.public_b64);
        assert!(PrivateKeyFile::parse("garbage").is_err());
    }
}
