"""Which addresses webhooks may post to: public ones, and the private ones allowed
by `DRUMBEAT_WEBHOOK_ALLOW_PRIVATE` or `DRUMBEAT_WEBHOOK_ALLOWED_HOSTS`.

Without this an admin could point a webhook at the cloud's metadata service or at
an internal one and read the start of its answer in the delivery log. Pure: no
Django, no network; `drumbeat.webhooks.http` resolves the host and connects only
to the addresses checked here.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOW_HINT = "set DRUMBEAT_WEBHOOK_ALLOWED_HOSTS to allow it"


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """The private addresses webhooks may reach: all of them (`allow_private`),
    or those of the host names and networks listed."""

    allow_private: bool = False
    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, *, allow_private: bool, allowed: Iterable[str]) -> AddressPolicy:
        """The policy from the settings: each allowed entry is an address or a
        network (`10.0.0.5`, `10.1.0.0/16`, `fd00::/8`), else a host name."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in allowed:
            try:
                networks.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                hosts.add(_name(entry))
        return cls(allow_private, frozenset(hosts), tuple(networks))

    def allows_name(self, host: str) -> bool:
        """Whether `host` may be posted to whatever it resolves to."""
        return self.allow_private or _name(host) in self.hosts

    def allows(self, host: str, address: IPAddress) -> bool:
        """Whether `host`, at `address` (not public), may be posted to anyway."""
        if self.allows_name(host):
            return True
        return any(
            candidate in network
            for network in self.networks
            for candidate in (address, _unmapped(address))
        )


def _name(host: str) -> str:
    return host.strip().lower().rstrip(".")


def _unmapped(address: IPAddress) -> IPAddress:
    """An IPv4 address mapped into IPv6 (`::ffff:127.0.0.1`) as the IPv4 one it
    reaches; any other address as it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def private_kind(address: IPAddress) -> str | None:
    """What keeps an address from being public ("loopback", "private" ...), or
    None when it is public."""
    address = _unmapped(address)
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    # Python counts IPv4 multicast as global; a webhook has no business there.
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"
    return None


def _is_localhost(host: str) -> bool:
    name = _name(host)
    return name == "localhost" or name.endswith(".localhost")


def _literal(host: str) -> IPAddress | None:
    """The address a host written as an IP address is, else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def host_refusal(host: str, policy: AddressPolicy) -> str | None:
    """Why a webhook may not be configured with this host, or None. Only what
    the URL itself says (an IP literal, `localhost`): names are not resolved,
    since what they resolve to can change; delivery checks again."""
    if _is_localhost(host) and not policy.allows_name(host):
        return f"Not a public address: {host} names this machine; {ALLOW_HINT}."
    address = _literal(host)
    if address is None:
        return None
    kind = private_kind(address)
    if kind is None or policy.allows(host, address):
        return None
    return f"Not a public address: {host} is a {kind} address; {ALLOW_HINT}."


def addresses_refusal(
    host: str, addresses: Sequence[IPAddress], policy: AddressPolicy
) -> str | None:
    """Why a delivery to `host`, resolved to `addresses`, is refused, or None:
    refused when any of them is not public and not allowed, since the connection
    may go to any of them."""
    for address in addresses:
        kind = private_kind(address)
        if kind is None or policy.allows(host, address):
            continue
        if _literal(host) == address:
            return f"refused: {host} is a {kind} address; {ALLOW_HINT}"
        return f"refused: {host} resolves to {address}, a {kind} address; {ALLOW_HINT}"
    return None
