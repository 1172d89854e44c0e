"""Where the SFU's ICE candidates come from: the settings, never a guess.

`CLASSROOM_ICE_SERVERS`: the STUN/TURN list given to every server-side peer connection,
as the browser's `iceServers` (`[{"urls": "turn:turn.example.fr:3478", "username": ...,
"credential": ...}]`). Empty by default: aiortc would otherwise reach out to Google's
public STUN server, which a class on an academy's network must not depend on.
`CLASSROOM_ICE_ADDRESSES`: the local addresses offered as host candidates (all interfaces
when empty). aioice never offers 127.0.0.1, so peers on one machine meet on its own
interface address (`interface_address()`).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable

import aioice.ice
from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer

_all_host_addresses = aioice.ice.get_host_addresses


def ice_configuration(servers: Iterable[dict]) -> RTCConfiguration:
    """An `RTCConfiguration` with exactly `servers` (an empty list means none at all).

    Max-bundle: every track of a connection shares one transport. aiortc's default
    ("balanced") marks a second track of a kind as bundled onto that kind's first transport
    even when the BUNDLE group's primary is another one; renegotiating, say, audio, video,
    audio, video then leaves the last video on a discarded transport, never sent.
    """
    return RTCConfiguration(
        bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
        iceServers=[
            RTCIceServer(
                urls=server["urls"],
                username=server.get("username"),
                credential=server.get("credential"),
            )
            for server in servers
        ],
    )


def restrict_host_addresses(addresses: Iterable[str]) -> None:
    """Offer only `addresses` as host candidates in this process (all when empty)."""
    wanted = [address for address in addresses if address]
    if not wanted:
        aioice.ice.get_host_addresses = _all_host_addresses
        return

    def chosen(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        present = _all_host_addresses(use_ipv4, use_ipv6)
        return [address for address in wanted if address in present]

    aioice.ice.get_host_addresses = chosen


def interface_address() -> str:
    """This machine's own (non-loopback) IPv4 address, where local peers can meet."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            # No packet is sent: connecting a UDP socket only picks the outgoing interface.
            probe.connect(("192.0.2.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
    if address.startswith("127."):
        found = _all_host_addresses(use_ipv4=True, use_ipv6=False)
        if not found:
            raise RuntimeError("no network interface other than loopback: ICE cannot connect")
        address = found[0]
    return address
