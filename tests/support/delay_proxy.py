#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A TCP proxy that holds every chunk for --delay-ms before passing it on, in both directions:
a broker that many milliseconds further away, one way. Tests point the daemon at it.
Usage: delay_proxy.py --target 127.0.0.1:PORT --delay-ms N --port-file F"""
import argparse, asyncio, os


async def pipe(reader, writer, delay):
    queue = asyncio.Queue()

    async def forward():
        while True:
            due, data = await queue.get()
            await asyncio.sleep(max(0.0, due - asyncio.get_running_loop().time()))
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(forward())
    try:
        while True:
            data = await reader.read(65536)
            await queue.put((asyncio.get_running_loop().time() + delay, data))
            if not data:
                break
    finally:
        await sender


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--delay-ms", type=float, required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    host, port = args.target.rsplit(":", 1)
    delay = args.delay_ms / 1000

    async def serve(client_reader, client_writer):
        try:
            broker_reader, broker_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, broker_writer, delay), pipe(broker_reader, client_writer, delay),
                             return_exceptions=True)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.sockets[0].getsockname()[1]}\n")
    os.rename(tmp, args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
