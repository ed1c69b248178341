"""`wms printers`: configure a printer and print a test label to it."""

import socket
import threading

from typer.testing import CliRunner

from wms.cli import _register_all, app


def test_a_test_label_reaches_the_configured_network_printer(database_url):
    _register_all()
    got = bytearray()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def accept():
        conn, _ = server.accept()
        while chunk := conn.recv(65536):
            got.extend(chunk)
        conn.close()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    runner = CliRunner()
    port = server.getsockname()[1]
    added = runner.invoke(app, ["printers", "add", "PRN-1", "--url", f"tcp://127.0.0.1:{port}", "--protocol", "tspl",
                                "--station", "PK-01", "--database", database_url])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["printers", "list", "--database", database_url])
    assert "PRN-1" in listed.output and "PK-01" in listed.output
    result = runner.invoke(app, ["printers", "test", "PRN-1", "--database", database_url])
    assert result.exit_code == 0, result.output
    t.join(10)
    assert got.startswith(b"SIZE") and b"BITMAP" in got and b"PRINT" in got


def test_an_unknown_printer_is_a_clear_error(database_url):
    _register_all()
    result = CliRunner().invoke(app, ["printers", "test", "NOPE", "--database", database_url])
    assert result.exit_code == 2 and "no printer NOPE" in result.output
