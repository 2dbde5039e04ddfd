//! Client network policy: allowed and denied source ranges (CIDR), and an optional trusted
//! country header set by the edge (geofencing embargoed locations). Plain logic; the glue passes
//! the client address Envoy saw (`source.address`, never a client-claimed header) and the value of
//! the configured country header.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::error::PolicyError;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkPolicy {
    /// If not empty, only these source ranges may use the gateway.
    pub allow_cidrs: Vec<String>,
    /// These source ranges never may (checked first).
    pub deny_cidrs: Vec<String>,
    /// A header set by a trusted edge with the client's ISO country code. Only trustworthy when the
    /// edge overwrites any client-supplied copy.
    pub country_header: Option<String>,
    /// Countries refused (ISO 3166 alpha-2).
    pub deny_countries: Vec<String>,
    /// Refuse requests without the country header.
    pub require_country: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    net: u128,
    bits: u32,
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (s, None),
    };
    let ip: IpAddr = addr.trim().parse().ok()?;
    let (max, offset) = match ip {
        IpAddr::V4(_) => (32, 96),
        IpAddr::V6(_) => (128, 0),
    };
    let bits = bits.unwrap_or(max);
    if bits > max {
        return None;
    }
    let bits = bits + offset;
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    Some(Cidr {
        net: to_u128(ip) & mask,
        bits,
    })
}

impl Cidr {
    fn contains(&self, ip: u128) -> bool {
        let mask = if self.bits == 0 {
            0
        } else {
            u128::MAX << (128 - self.bits)
        };
        ip & mask == self.net
    }
}

/// The compiled network policy.
#[derive(Debug, Clone, Default)]
pub struct Network {
    allow: Vec<(String, Cidr)>,
    deny: Vec<(String, Cidr)>,
    pub country_header: Option<String>,
    deny_countries: Vec<String>,
    require_country: bool,
}

/// Why a client was refused: the rule that matched, in words for the client and the audit.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRefusal {
    pub rule: String,
    pub message: String,
}

impl Network {
    pub fn compile(p: &NetworkPolicy) -> Result<Network, PolicyError> {
        let parse = |list: &[String], field: &str| -> Result<Vec<(String, Cidr)>, PolicyError> {
            list.iter()
                .enumerate()
                .map(|(i, s)| {
                    parse_cidr(s)
                        .map(|c| (s.clone(), c))
                        .ok_or_else(|| PolicyError::Invalid {
                            at: format!("network.{field}[{i}]"),
                            why: format!("{s:?} is not an IP address or CIDR range"),
                        })
                })
                .collect()
        };
        Ok(Network {
            allow: parse(&p.allow_cidrs, "allow_cidrs")?,
            deny: parse(&p.deny_cidrs, "deny_cidrs")?,
            country_header: p.country_header.as_ref().map(|h| h.to_ascii_lowercase()),
            deny_countries: p
                .deny_countries
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            require_country: p.require_country,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty() && self.country_header.is_none()
    }

    /// `source` is Envoy's `source.address` ("ip:port", "[v6]:port" or a bare ip).
    pub fn check(&self, source: &str, country: Option<&str>) -> Result<(), NetworkRefusal> {
        if !self.allow.is_empty() || !self.deny.is_empty() {
            let ip = parse_source(source).ok_or_else(|| NetworkRefusal {
                rule: "network.source".into(),
                message: "the client address is unknown".into(),
            })?;
            if let Some((s, _)) = self.deny.iter().find(|(_, c)| c.contains(ip)) {
                return Err(NetworkRefusal {
                    rule: format!("network.deny_cidrs {s}"),
                    message: "requests from this network are not allowed".into(),
                });
            }
            if !self.allow.is_empty() && !self.allow.iter().any(|(_, c)| c.contains(ip)) {
                return Err(NetworkRefusal {
                    rule: "network.allow_cidrs".into(),
                    message: "requests from this network are not allowed".into(),
                });
            }
        }
        if self.country_header.is_some() {
            match country.map(|c| c.trim().to_ascii_uppercase()) {
                Some(c) if !c.is_empty() && self.deny_countries.contains(&c) => {
                    return Err(NetworkRefusal {
                        rule: format!("network.deny_countries {c}"),
                        message: "requests from this location are not allowed".into(),
                    });
                }
                Some(c) if !c.is_empty() => {}
                _ if self.require_country => {
                    return Err(NetworkRefusal {
                        rule: "network.require_country".into(),
                        message: "the client location is unknown".into(),
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn parse_source(s: &str) -> Option<u128> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(to_u128(ip));
    }
    if let Ok(sa) = s.parse::<std::net::SocketAddr>() {
        return Some(to_u128(sa.ip()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(allow: &[&str], deny: &[&str], countries: &[&str]) -> Network {
        Network::compile(&NetworkPolicy {
            allow_cidrs: allow.iter().map(|s| s.to_string()).collect(),
            deny_cidrs: deny.iter().map(|s| s.to_string()).collect(),
            country_header: Some("x-edge-country".into()),
            deny_countries: countries.iter().map(|s| s.to_string()).collect(),
            require_country: false,
        })
        .unwrap()
    }

    #[test]
    fn cidrs_and_countries() {
        let n = net(
            &["10.0.0.0/8", "2001:db8::/32", "127.0.0.1"],
            &["10.66.0.0/16"],
            &["KP", "IR"],
        );
        assert!(n.check("10.1.2.3:5555", None).is_ok());
        assert!(n.check("[2001:db8::1]:443", None).is_ok());
        assert!(n.check("127.0.0.1:1", Some("us")).is_ok());
        assert!(n
            .check("10.66.1.1:1", None)
            .unwrap_err()
            .rule
            .contains("deny_cidrs"));
        assert!(n
            .check("192.168.1.1:1", None)
            .unwrap_err()
            .rule
            .contains("allow_cidrs"));
        assert!(n
            .check("10.1.1.1:1", Some("kp"))
            .unwrap_err()
            .rule
            .contains("KP"));
        assert!(n.check("garbage", None).is_err());
        assert!(Network::compile(&NetworkPolicy {
            allow_cidrs: vec!["10.0.0.0/33".into()],
            ..Default::default()
        })
        .is_err());
    }
}
