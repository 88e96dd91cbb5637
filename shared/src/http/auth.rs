//! Bearer access tokens: EdDSA-signed JWTs.
//!
//! Only the accounts function holds a private key and mints tokens; every function
//! verifies them with the public keys of a JWKS (`BALADIYA_JWKS`), chosen by `kid`,
//! so keys can be rotated by publishing the new one before signing with it.

use std::collections::{BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::domain::{Id, MunicipalityId, Permission, Principal};

/// The audience every Baladiya access token is minted for.
pub const AUDIENCE: &str = "baladiya";

/// What an access token says. Kept small: it travels with every request.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    /// Always `access`: refresh tokens are opaque and never verified here.
    pub token_use: String,
    /// `citizen`, `staff` or `admin`.
    pub role: String,
    pub muni: Option<String>,
    pub staff_id: Option<String>,
    pub perms: Option<Vec<Permission>>,
    pub cats: Option<Vec<String>>,
}

impl AccessClaims {
    /// Claims stating `who`, valid for `ttl_secs` from now.
    pub fn for_principal(who: &Principal, issuer: &str, ttl_secs: u64) -> AccessClaims {
        let now = now_secs();
        let mut claims = AccessClaims {
            sub: who.user().to_string(),
            iss: issuer.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + ttl_secs,
            token_use: "access".to_owned(),
            role: who.role().to_owned(),
            muni: None,
            staff_id: None,
            perms: None,
            cats: None,
        };
        if let Principal::Staff {
            staff_id,
            municipality,
            permissions,
            complaint_categories,
            ..
        } = who
        {
            claims.muni = Some(municipality.to_string());
            claims.staff_id = Some(staff_id.to_string());
            claims.perms = Some(permissions.iter().copied().collect());
            claims.cats = complaint_categories
                .as_ref()
                .map(|c| c.iter().cloned().collect());
        }
        claims
    }

    fn into_principal(self) -> Result<Principal, TokenError> {
        if self.token_use != "access" {
            return Err(TokenError::Claims);
        }
        let user = Id::parse("usr", &self.sub).map_err(|_| TokenError::Claims)?;
        match self.role.as_str() {
            "citizen" => Ok(Principal::Citizen { user }),
            "admin" => Ok(Principal::PlatformAdmin { user }),
            "staff" => {
                let (Some(muni), Some(staff_id), Some(perms)) =
                    (self.muni, self.staff_id, self.perms)
                else {
                    return Err(TokenError::Claims);
                };
                Ok(Principal::Staff {
                    user,
                    staff_id: Id::parse("stf", &staff_id).map_err(|_| TokenError::Claims)?,
                    municipality: MunicipalityId::parse(&muni).map_err(|_| TokenError::Claims)?,
                    permissions: perms.into_iter().collect(),
                    complaint_categories: self.cats.map(|c| c.into_iter().collect::<BTreeSet<_>>()),
                })
            }
            _ => Err(TokenError::Claims),
        }
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is not a well-formed JWT")]
    Malformed,
    #[error("token is signed with an unknown key or algorithm")]
    UnknownKey,
    #[error("signature, expiry, issuer or audience check failed")]
    Rejected,
    #[error("claims are incomplete or inconsistent")]
    Claims,
    #[error("key set is invalid: {0}")]
    Config(String),
}

/// Verifies access tokens against a set of public keys.
pub struct TokenVerifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl TokenVerifier {
    /// From a JWKS document. Only Ed25519 (`OKP`/`EdDSA`) keys with a `kid` are used;
    /// others are ignored so that a published set may carry more.
    pub fn from_jwks(jwks_json: &str, issuer: &str) -> Result<TokenVerifier, TokenError> {
        let set: JwkSet =
            serde_json::from_str(jwks_json).map_err(|e| TokenError::Config(e.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let (Some(kid), jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(_)) =
                (&jwk.common.key_id, &jwk.algorithm)
            else {
                continue;
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| TokenError::Config(e.to_string()))?;
            keys.insert(kid.clone(), key);
        }
        // Pinning the algorithm refuses `none`, HMAC-with-the-public-key and other
        // `alg` tricks before any signature is looked at.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        validation.validate_nbf = true;
        Ok(TokenVerifier { keys, validation })
    }

    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    pub fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        self.verify_issued(token).map(|(who, _)| who)
    }

    /// The caller a token states and when it was issued (`iat`, epoch seconds):
    /// what a revocation is compared with.
    pub fn verify_issued(&self, token: &str) -> Result<(Principal, u64), TokenError> {
        if token.len() > 4096 {
            return Err(TokenError::Malformed);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::UnknownKey);
        }
        let key = header
            .kid
            .as_ref()
            .and_then(|kid| self.keys.get(kid))
            .ok_or(TokenError::UnknownKey)?;
        let data = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .map_err(|_| TokenError::Rejected)?;
        let issued = data.claims.iat;
        Ok((data.claims.into_principal()?, issued))
    }
}

/// Signs access tokens. Lives in the accounts function (and in tests and the dev
/// tools, with a development key).
pub struct TokenSigner {
    kid: String,
    key: EncodingKey,
}

impl TokenSigner {
    /// From a PKCS#8 PEM Ed25519 private key.
    pub fn from_ed_pem(kid: &str, pem: &[u8]) -> Result<TokenSigner, TokenError> {
        let key = EncodingKey::from_ed_pem(pem).map_err(|e| TokenError::Config(e.to_string()))?;
        Ok(TokenSigner {
            kid: kid.to_owned(),
            key,
        })
    }

    /// The public half as a JWKS document, ready for `/.well-known/jwks.json` and
    /// for `BALADIYA_JWKS`.
    pub fn public_jwks(&self) -> Result<String, TokenError> {
        let mut jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&self.key, Algorithm::EdDSA)
            .map_err(|e| TokenError::Config(e.to_string()))?;
        jwk.common.key_id = Some(self.kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        serde_json::to_string(&JwkSet { keys: vec![jwk] })
            .map_err(|e| TokenError::Config(e.to_string()))
    }

    pub fn sign(&self, claims: &AccessClaims) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| TokenError::Config(e.to_string()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

    // A throwaway Ed25519 key pair for these unit tests only.
    pub const TEST_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIOhDt9Yzbaeam++b94ieRzAKpCkPqXRyDefO2rFe0Ad8\n-----END PRIVATE KEY-----\n";
    pub const TEST_JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"test-1","alg":"EdDSA","use":"sig","x":"PLACEHOLDER"}]}"#;
    const OTHER_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBiPU/MeVrY9ZRYtArHyRgfgn8zTgLEVvnfcDar0Gb/M\n-----END PRIVATE KEY-----\n";

    fn jwks() -> String {
        // Derive the public key from the private one so the pair cannot drift.
        let from_signer = TokenSigner::from_ed_pem("test-1", TEST_PEM.as_bytes())
            .unwrap()
            .public_jwks()
            .unwrap();
        let by_hand = TEST_JWKS.replace("PLACEHOLDER", &public_x(TEST_PEM));
        let a: serde_json::Value = serde_json::from_str(&from_signer).unwrap();
        let b: serde_json::Value = serde_json::from_str(&by_hand).unwrap();
        assert_eq!(a["keys"][0]["x"], b["keys"][0]["x"]);
        assert_eq!(a["keys"][0]["kid"], "test-1");
        from_signer
    }

    /// The `x` of an Ed25519 PKCS#8 PEM key: derived with aws-lc-rs via jsonwebtoken.
    pub fn public_x(pem: &str) -> String {
        let key = EncodingKey::from_ed_pem(pem.as_bytes()).unwrap();
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(&key, Algorithm::EdDSA).unwrap();
        match jwk.algorithm {
            jsonwebtoken::jwk::AlgorithmParameters::OctetKeyPair(p) => p.x,
            _ => panic!("not an OKP key"),
        }
    }

    fn claims(who: &Principal) -> AccessClaims {
        AccessClaims::for_principal(who, "baladiya-accounts", 900)
    }

    fn verifier() -> TokenVerifier {
        TokenVerifier::from_jwks(&jwks(), "baladiya-accounts").unwrap()
    }

    fn sign(c: &AccessClaims) -> String {
        TokenSigner::from_ed_pem("test-1", TEST_PEM.as_bytes())
            .unwrap()
            .sign(c)
            .unwrap()
    }

    #[test]
    fn round_trips_each_role() {
        let v = verifier();
        assert_eq!(v.key_count(), 1);
        for who in [
            Principal::Citizen {
                user: Id::generate("usr"),
            },
            Principal::PlatformAdmin {
                user: Id::generate("usr"),
            },
            Principal::staff("tunis", [Permission::News, Permission::Permissions]),
        ] {
            assert_eq!(v.verify(&sign(&claims(&who))).unwrap(), who);
        }
    }

    #[test]
    fn refuses_expired_wrong_issuer_audience_and_use() {
        let v = verifier();
        let who = Principal::Citizen {
            user: Id::generate("usr"),
        };
        let mut c = claims(&who);
        c.exp = now_secs() - 120;
        assert_eq!(v.verify(&sign(&c)), Err(TokenError::Rejected));
        let mut c = claims(&who);
        c.iss = "someone-else".into();
        assert_eq!(v.verify(&sign(&c)), Err(TokenError::Rejected));
        let mut c = claims(&who);
        c.aud = "other-app".into();
        assert_eq!(v.verify(&sign(&c)), Err(TokenError::Rejected));
        let mut c = claims(&who);
        c.token_use = "refresh".into();
        assert_eq!(v.verify(&sign(&c)), Err(TokenError::Claims));
        let mut c = claims(&who);
        c.role = "staff".into(); // staff without a municipality
        assert_eq!(v.verify(&sign(&c)), Err(TokenError::Claims));
    }

    #[test]
    fn refuses_forgeries() {
        let v = verifier();
        let who = Principal::Citizen {
            user: Id::generate("usr"),
        };
        let good = sign(&claims(&who));
        let parts: Vec<&str> = good.split('.').collect();

        // Signed by another key under the same kid.
        let other = TokenSigner::from_ed_pem("test-1", OTHER_PEM.as_bytes()).unwrap();
        assert_eq!(
            v.verify(&other.sign(&claims(&who)).unwrap()),
            Err(TokenError::Rejected)
        );

        // Unknown kid.
        let other = TokenSigner::from_ed_pem("test-2", TEST_PEM.as_bytes()).unwrap();
        assert_eq!(
            v.verify(&other.sign(&claims(&who)).unwrap()),
            Err(TokenError::UnknownKey)
        );

        // alg: none, no signature.
        let none = B64.encode(br#"{"alg":"none","typ":"JWT","kid":"test-1"}"#);
        assert!(v.verify(&format!("{none}.{}.", parts[1])).is_err());

        // alg: HS256 keyed with the public key.
        let hs = B64.encode(br#"{"alg":"HS256","typ":"JWT","kid":"test-1"}"#);
        assert_eq!(
            v.verify(&format!("{hs}.{}.{}", parts[1], parts[2])),
            Err(TokenError::UnknownKey)
        );

        // Tampered payload: promote to admin.
        let mut c = claims(&who);
        c.role = "admin".into();
        let forged_payload = B64.encode(serde_json::to_vec(&c).unwrap());
        assert_eq!(
            v.verify(&format!("{}.{forged_payload}.{}", parts[0], parts[2])),
            Err(TokenError::Rejected)
        );

        for junk in ["", "a.b", "a.b.c", "....", &"x".repeat(5000)] {
            assert!(v.verify(junk).is_err(), "{junk:?}");
        }
    }
}
