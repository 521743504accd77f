//! Which addresses the host refuses to connect to unless told otherwise.
//!
//! A base URL is typed by whoever connects an account, and the host fetches it from inside the
//! product's network. Without a policy, `https://169.254.169.254/` reads the cloud's instance
//! credentials and `http://10.0.0.5:6379/` talks to an internal service (server-side request
//! forgery). The ranges below are the ones no public Git hosting service ever lives in.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not reached by default: the kind of network it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockedRange {
    /// `0.0.0.0/8` or `::`: "this host" or "this network". Linux connects `0.0.0.0` to the
    /// machine itself, so it is as dangerous as loopback.
    Unspecified,
    /// `127.0.0.0/8` or `::1`: the machine itself.
    Loopback,
    /// `169.254.0.0/16` or `fe80::/10`: the local link, where cloud metadata services live.
    LinkLocal,
    /// A cloud provider's instance metadata service (`169.254.169.254` on AWS, Google Cloud,
    /// Azure and others, `fd00:ec2::254` on AWS over IPv6, `100.100.100.200` on Alibaba Cloud),
    /// which hands out the machine's credentials.
    CloudMetadata,
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` (RFC 1918), `fc00::/7` (unique local) or
    /// the deprecated site-local `fec0::/10`.
    Private,
    /// `100.64.0.0/10` (RFC 6598), the carrier-grade NAT space that some clouds and VPNs use as
    /// an internal network.
    SharedAddressSpace,
    /// `224.0.0.0/4` or `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `240.0.0.0/4`, reserved for future use and never a public host.
    Reserved,
}

impl fmt::Display for BlockedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BlockedRange::Unspecified => "unspecified",
            BlockedRange::Loopback => "loopback",
            BlockedRange::LinkLocal => "link-local",
            BlockedRange::CloudMetadata => "cloud metadata",
            BlockedRange::Private => "private",
            BlockedRange::SharedAddressSpace => "shared (carrier-grade NAT)",
            BlockedRange::Multicast => "multicast",
            BlockedRange::Broadcast => "broadcast",
            BlockedRange::Reserved => "reserved",
        })
    }
}

/// The range `ip` belongs to if the host refuses it by default, `None` for a public address.
///
/// IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, the deprecated
/// IPv4-compatible `::a.b.c.d`, and NAT64's well-known `64:ff9b::a.b.c.d`) are judged by the
/// IPv4 address they reach: `::ffff:127.0.0.1` is loopback.
pub fn blocked_range(ip: IpAddr) -> Option<BlockedRange> {
    match ip {
        IpAddr::V4(ip) => blocked_v4(ip),
        IpAddr::V6(ip) => blocked_v6(ip),
    }
}

/// Whether a connection to `ip` stays on this machine: `127.0.0.0/8`, `::1`, or an
/// IPv4-mapped loopback address such as `::ffff:127.0.0.1`.
///
/// Stricter than [`blocked_range`] on purpose, since it decides where plain http may go: an
/// IPv4-compatible `::127.0.0.1` is an ordinary IPv6 address to the network stack, and NAT64's
/// `64:ff9b::127.0.0.1` is the gateway's loopback, not this machine's.
pub fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn blocked_v4(ip: Ipv4Addr) -> Option<BlockedRange> {
    let [a, b, ..] = ip.octets();
    // Metadata first: 169.254.169.254 is link-local too, but the specific name tells an
    // operator what was at stake.
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        Some(BlockedRange::CloudMetadata)
    } else if a == 0 {
        // std's `is_unspecified` covers 0.0.0.0 only; the whole /8 is "this network" (RFC 1122)
        // and never a destination.
        Some(BlockedRange::Unspecified)
    } else if ip.is_loopback() {
        Some(BlockedRange::Loopback)
    } else if ip.is_link_local() {
        Some(BlockedRange::LinkLocal)
    } else if ip.is_private() {
        Some(BlockedRange::Private)
    } else if a == 100 && (b & 0b1100_0000) == 64 {
        // 100.64.0.0/10; std's `is_shared` is not stable yet.
        Some(BlockedRange::SharedAddressSpace)
    } else if ip.is_multicast() {
        Some(BlockedRange::Multicast)
    } else if ip.is_broadcast() {
        Some(BlockedRange::Broadcast)
    } else if a >= 240 {
        Some(BlockedRange::Reserved)
    } else {
        None
    }
}

fn blocked_v6(ip: Ipv6Addr) -> Option<BlockedRange> {
    if ip.is_unspecified() {
        return Some(BlockedRange::Unspecified);
    }
    if ip.is_loopback() {
        return Some(BlockedRange::Loopback);
    }
    if let Some(v4) = embedded_v4(ip) {
        return blocked_v4(v4);
    }
    let first = ip.segments()[0];
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        Some(BlockedRange::CloudMetadata)
    } else if ip.is_unicast_link_local() {
        Some(BlockedRange::LinkLocal)
    } else if ip.is_unique_local() || (first & 0xffc0) == 0xfec0 {
        // fec0::/10 was deprecated (RFC 3879) but some stacks still route it internally.
        Some(BlockedRange::Private)
    } else if ip.is_multicast() {
        Some(BlockedRange::Multicast)
    } else {
        None
    }
}

/// The IPv4 address an IPv6 address stands for, if it carries one that the network stack or a
/// NAT64 gateway turns into an IPv4 connection.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let segments = ip.segments();
    let [hi, lo] = [segments[6], segments[7]];
    let v4 = Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    match segments[..6] {
        // ::ffff:a.b.c.d, IPv4-mapped: a dual-stack socket connects to a.b.c.d.
        [0, 0, 0, 0, 0, 0xffff] => Some(v4),
        // ::a.b.c.d, IPv4-compatible (deprecated). `::` and `::1` are IPv6's own and are
        // classified before this is asked.
        [0, 0, 0, 0, 0, 0] => Some(v4),
        // 64:ff9b::a.b.c.d, NAT64's well-known prefix (RFC 6052): the gateway connects to
        // a.b.c.d on its IPv4 side.
        [0x64, 0xff9b, 0, 0, 0, 0] => Some(v4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> Option<BlockedRange> {
        blocked_range(text.parse().expect("an IP address"))
    }

    #[test]
    fn each_range_and_its_edges() {
        use BlockedRange::*;
        let table: &[(&str, Option<BlockedRange>)] = &[
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Unspecified)),
            ("::", Some(Unspecified)),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("::1", Some(Loopback)),
            ("169.254.0.1", Some(LinkLocal)),
            ("169.254.169.254", Some(CloudMetadata)),
            ("169.254.169.253", Some(LinkLocal)),
            ("fd00:ec2::254", Some(CloudMetadata)),
            ("fd00:ec2::253", Some(Private)),
            ("100.100.100.200", Some(CloudMetadata)),
            ("fe80::1", Some(LinkLocal)),
            ("febf:ffff::1", Some(LinkLocal)),
            ("10.0.0.1", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.15.255.255", None),
            ("172.32.0.0", None),
            ("192.168.1.1", Some(Private)),
            ("192.169.0.1", None),
            ("fc00::1", Some(Private)),
            ("fdff:ffff::1", Some(Private)),
            ("fec0::1", Some(Private)),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.127.255.255", Some(SharedAddressSpace)),
            ("100.63.255.255", None),
            ("100.128.0.0", None),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("ff02::1", Some(Multicast)),
            ("255.255.255.255", Some(Broadcast)),
            ("240.0.0.1", Some(Reserved)),
            // Public addresses, including two of the providers' own.
            ("140.82.112.3", None),
            ("172.65.251.78", None),
            ("8.8.8.8", None),
            ("2606:4700::1111", None),
            ("2a00:1450:4001::1", None),
        ];
        for (address, expected) in table {
            assert_eq!(range(address), *expected, "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_ipv4_are_judged_by_the_ipv4_address() {
        use BlockedRange::*;
        let table: &[(&str, Option<BlockedRange>)] = &[
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:7f00:1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:169.254.169.254", Some(CloudMetadata)),
            ("::ffff:0.0.0.0", Some(Unspecified)),
            ("::127.0.0.1", Some(Loopback)),
            ("::192.168.0.1", Some(Private)),
            ("64:ff9b::127.0.0.1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(CloudMetadata)),
            ("::ffff:140.82.112.3", None),
            ("64:ff9b::8.8.8.8", None),
        ];
        for (address, expected) in table {
            assert_eq!(range(address), *expected, "{address}");
        }
    }

    #[test]
    fn loopback_means_this_machine_only() {
        for address in ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(address.parse().expect("an IP address")), "{address}");
        }
        let elsewhere =
            ["10.0.0.1", "0.0.0.0", "::", "fe80::1", "192.0.2.2", "::127.0.0.1", "64:ff9b::7f00:1"];
        for address in elsewhere {
            assert!(!is_loopback(address.parse().expect("an IP address")), "{address}");
        }
    }
}
