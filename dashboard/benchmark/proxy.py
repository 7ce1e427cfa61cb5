"""Several Streamlit servers behind one port, for the rush (`bench --rush --servers N`): a TCP proxy on 127.0.0.1.

Why: one Streamlit process runs its sessions' scripts in threads of one Python, so about one core's worth of Python
at a time, however many cores there are; several processes over the same store (each its own read instance, which
the store's lock protocol allows: readers in any number of processes, one writer) can use every core.

Sticky by connection: each accepted connection goes whole to the server with the fewest open connections, and a
Streamlit session lives on its WebSocket, one TCP connection, so a session stays on the process that holds its
state. That is enough for the rush's WebSocket clients. It is not enough for browsers in production: a session's
media files (download buttons, images) and file uploads are fetched over other HTTP connections and are known only
to the session's own process; there the balancer must be sticky per browser (a cookie, or nginx's `ip_hash` where
every office has its own address).
"""
from __future__ import annotations

import asyncio
import contextlib
import socket
import threading

from . import browser


class Proxy:
    """Forwards every connection to one of `ports` (fewest open connections first), bytes both ways, until either
    side closes. Runs on its own event loop in a thread of this process."""

    def __init__(self, ports: list[int]):
        self.ports, self.open = ports, dict.fromkeys(ports, 0)
        self.loop = asyncio.new_event_loop()
        self.listening = socket.socket()
        self.listening.bind(("127.0.0.1", 0))
        self.port = self.listening.getsockname()[1]

    def start(self) -> None:
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), name="rush-proxy", daemon=True).start()
        ready.wait()

    def stop(self) -> None:
        """Cancels the connections still open, then ends the loop once they have unwound."""
        def halt() -> None:
            for task in asyncio.all_tasks(self.loop):
                task.cancel()
            self.loop.call_later(0.2, self.loop.stop)
        self.loop.call_soon_threadsafe(halt)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._client, sock=self.listening))
        ready.set()
        self.loop.run_forever()

    async def _client(self, reader, writer) -> None:
        port = min(self.ports, key=self.open.get)
        self.open[port] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except OSError:
            writer.close()
        finally:
            self.open[port] -= 1


async def _pipe(reader, writer) -> None:
    """Copies until end of stream, then closes the other side's writing half."""
    with contextlib.suppress(OSError):
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError):
        writer.close()


@contextlib.contextmanager
def served_behind_one_port(script, db, count: int):
    """`count` servers of `script` over the store `db` (see `browser.served`), behind a Proxy: yields the proxy's
    base URL and the servers' base URLs. One server is served as it is, no proxy in the way."""
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(browser.served(script, db)) for _ in range(count)]
        if count == 1:
            yield bases[0], bases
            return
        proxy = Proxy([int(base.rsplit(":", 1)[1]) for base in bases])
        proxy.start()
        stack.callback(proxy.stop)
        yield f"http://127.0.0.1:{proxy.port}", bases
