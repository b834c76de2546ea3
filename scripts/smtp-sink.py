"""A real SMTP server for the tests (aiosmtpd's SMTP protocol on 127.0.0.1), keeping each
message it accepts as a file: `<dir>/<time>-<n>.eml`, its first line `X-Envelope-To: …`, then
the message exactly as received. Recipients whose address starts with `bounce` are refused
with 550, so the tests see a permanent failure.

    python3 scripts/smtp-sink.py PORT DIR
"""
import itertools
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = f"{time.time_ns()}-{next(self.counter)}.eml"
        partial = os.path.join(self.directory, "." + name)
        with open(partial, "wb") as out:
            out.write(("X-Envelope-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(self.directory, name))
        return "250 OK: kept"


def main():
    port, directory = int(sys.argv[1]), sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp sink listening on 127.0.0.1:{port}, keeping mail in {directory}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
